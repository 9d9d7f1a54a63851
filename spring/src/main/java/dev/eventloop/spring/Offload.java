package dev.eventloop.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.aot.hint.annotation.Reflective;

/**
 * Marks a blocking bean method that an event loop must not run itself: every call runs
 * through {@link dev.eventloop.AsyncContext#offload(java.util.concurrent.Callable)
 * AsyncContext.offload}, on a virtual thread on Java 21 and later or on a bounded pool on
 * Java 17.
 * <p>
 * A method returning {@code CompletableFuture} or {@code CompletionStage} returns at
 * once, and a caller on an event loop gets the future completed on its own loop. A
 * {@code void} method is fire and forget (failures are logged). A Kotlin {@code suspend}
 * function (with the {@code eventloop-kotlin} module) runs each step on the offload
 * executor, and its caller resumes in its own context. A Reactor {@code Mono} is
 * offloaded when subscribed to. Any other return type makes the caller wait, which is
 * refused on event-loop threads with a {@link dev.eventloop.BlockingOnLoopException}.
 *
 * @since 0.1.0
 * @see OnEventLoop
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Reflective(EventLoopReflectiveProcessor.class)
public @interface Offload {

}
