package dev.eventloop.spring.aop;

import dev.eventloop.AsyncContext;
import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

/**
 * Runs Kotlin {@code suspend} methods for the {@code @OnEventLoop} and {@code @Offload}
 * interceptor, which decides the loop as it does for every other method. Implemented by
 * the {@code eventloop-kotlin} module, whose auto-configuration declares it as a bean.
 * Support for the starter's own modules, not an API for applications.
 * <p>
 * Each method returns what Spring's proxy awaits on the caller's behalf (a
 * {@code Publisher} of the method's result): the caller suspends, and resumes in its own
 * coroutine context when the method returns.
 *
 * @since 0.1.0
 */
public interface SuspendingMethods {

	/**
	 * Run a suspend method on a loop: its body starts there (at once, when the caller is
	 * already on that loop) and resumes there after each suspension.
	 * @param loop the loop the interceptor chose for the call
	 * @param invocation the call, its last argument the caller's continuation
	 * @return the publisher of the method's result
	 * @throws Throwable what the method throws before its first suspension
	 */
	@Nullable Object onLoop(EventLoop loop, MethodInvocation invocation) throws Throwable;

	/**
	 * Run a suspend method on the loop of its key, one call per key at a time: a call
	 * starts only once the previous call with an equal key has returned (see
	 * {@link AsyncContext#dispatchSequentially}).
	 * @param context the application's context
	 * @param group the method's group
	 * @param key the call's key
	 * @param invocation the call, its last argument the caller's continuation
	 * @return the publisher of the method's result
	 */
	Object sequentially(AsyncContext context, EventLoopGroup group, Object key, MethodInvocation invocation);

	/**
	 * Run a suspend method off every loop, on the context's offload executor.
	 * @param context the application's context
	 * @param invocation the call, its last argument the caller's continuation
	 * @return the publisher of the method's result
	 * @throws Throwable what the method throws before its first suspension
	 */
	@Nullable Object offload(AsyncContext context, MethodInvocation invocation) throws Throwable;

}
