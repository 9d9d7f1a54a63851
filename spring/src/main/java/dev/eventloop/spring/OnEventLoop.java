package dev.eventloop.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.aot.hint.annotation.Reflective;

/**
 * Runs a bean method on a named event loop, the {@code @Async} of event loops. On a type,
 * it applies to every public method of the bean.
 * <p>
 * What the proxy does depends on the method's return type:
 * <ul>
 * <li>{@code CompletableFuture} or {@code CompletionStage}: the call is dispatched to the
 * loop and its future returned at once; a caller already on the target loop runs the
 * method inline.</li>
 * <li>{@code void}: fire and forget; a failure goes to the loop's uncaught-exception
 * handler.</li>
 * <li>Reactor {@code Mono} (when Reactor is present): the call is dispatched when the
 * {@code Mono} is subscribed to.</li>
 * <li>A Kotlin {@code suspend} function (with the {@code eventloop-kotlin} module): the
 * body runs on the loop and resumes there after each suspension; the caller suspends
 * rather than blocks.</li>
 * <li>Any other type: the caller waits for the result, with the rules of
 * {@link dev.eventloop.AsyncContext#call(dev.eventloop.EventLoopGroup, java.util.concurrent.Callable)
 * AsyncContext.call}: inline on the target loop, refused with a
 * {@link dev.eventloop.BlockingOnLoopException} on another event-loop thread.</li>
 * </ul>
 * With a {@link #key() key}, every call with the same key runs on the same loop of the
 * group, one at a time and in order, so state owned by that key needs no locks.
 *
 * @since 0.1.0
 * @see Offload
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Reflective(EventLoopReflectiveProcessor.class)
public @interface OnEventLoop {

	/**
	 * Name of the loop that exists when no loops are configured, and the default of
	 * {@link #value()}.
	 */
	String DEFAULT_LOOP = "default";

	/**
	 * Name of the event loop or group to run on, as configured under
	 * {@code eventloop.loops}. Defaults to {@value #DEFAULT_LOOP}, the loop that exists
	 * when no loops are configured.
	 * @return the loop or group name
	 */
	String value() default DEFAULT_LOOP;

	/**
	 * SpEL expression over the method arguments that gives the affinity key, for example
	 * {@code #order.customerId} or {@code #p0}. Empty (the default) means no affinity: a
	 * caller already on one of the group's loops stays there and any other caller gets
	 * the group's next loop. The expression is parsed once, at startup, and evaluated on
	 * every call; it must not evaluate to {@code null}.
	 * @return the key expression, or empty for none
	 */
	String key() default "";

	/**
	 * Whether calls with equal keys run one at a time until the future each returns has
	 * completed, not merely until the method has returned: a call starts only once the
	 * future of the previous call with its key is done, while calls with other keys keep
	 * running (see {@link dev.eventloop.AsyncContext#dispatchSequentially}). For
	 * asynchronous work per key, such as writes per account through a client that returns
	 * futures. Requires a {@link #key()} and a {@code CompletableFuture} or
	 * {@code CompletionStage} return type, or a Kotlin {@code suspend} function (one call
	 * per key until the function returns); calls waiting for their key wait outside the
	 * loop's queue.
	 * @return whether calls of one key wait for each other's futures
	 */
	boolean sequential() default false;

}
