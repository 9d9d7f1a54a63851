package dev.eventloop.spring.coroutines

import dev.eventloop.AsyncContext
import dev.eventloop.EventLoop
import dev.eventloop.EventLoopGroup
import dev.eventloop.coroutines.asCoroutineDispatcher
import dev.eventloop.spring.aop.SuspendingMethods
import java.util.concurrent.CompletableFuture
import kotlin.coroutines.Continuation
import kotlin.coroutines.CoroutineContext
import kotlinx.coroutines.CoroutineDispatcher
import org.aopalliance.intercept.MethodInvocation
import org.reactivestreams.Publisher
import org.springframework.aop.ProxyMethodInvocation
import reactor.core.publisher.Mono

/**
 * Runs `suspend` methods for the `@OnEventLoop` interceptor. Spring's proxy turns a
 * suspend method's call into a `Mono` that runs the body in the coroutine context of the
 * caller's continuation; this gives that context the loop's dispatcher (and a snapshot of
 * the caller's thread-local context), so the body starts on the loop, resumes there after
 * each suspension, and sees the caller's MDC and observation there. The caller resumes in
 * its own context when the proxy's `Mono` completes.
 */
internal class LoopSuspendingMethods(
	// captures the caller's thread-local context on the calling thread; null: none is carried
	private val captureContext: (() -> CoroutineContext.Element)?,
) : SuspendingMethods {

	override fun onLoop(loop: EventLoop, invocation: MethodInvocation): Any? =
		proceedIn(loop.asCoroutineDispatcher(), invocation)

	override fun sequentially(context: AsyncContext, group: EventLoopGroup, key: Any,
			invocation: MethodInvocation): Any {
		val dispatcher = group.forKey(key).asCoroutineDispatcher()
		val arguments = argumentsIn(dispatcher, invocation)
		// the body starts on the key's loop once the key's previous call has returned, and
		// the key is held until this one returns; cancelling the caller cancels the body
		val result = context.dispatchSequentially<Any>(group, key) {
			(invocation as ProxyMethodInvocation).setArguments(*arguments)
			@Suppress("UNCHECKED_CAST")
			Mono.from(invocation.proceed() as Publisher<Any>).toFuture() as CompletableFuture<Any>
		}
		return Mono.fromFuture(result)
	}

	override fun offload(context: AsyncContext, invocation: MethodInvocation): Any? =
		proceedIn(OffloadDispatcher(context), invocation)

	private fun proceedIn(dispatcher: CoroutineDispatcher, invocation: MethodInvocation): Any? {
		(invocation as ProxyMethodInvocation).setArguments(*argumentsIn(dispatcher, invocation))
		return invocation.proceed()
	}

	/**
	 * The call's arguments, its continuation replaced by one that only carries the
	 * context the body is to run in (Spring's proxy reads no more of it; it resumes the
	 * caller's own continuation, from its own copy of the arguments).
	 */
	private fun argumentsIn(dispatcher: CoroutineDispatcher, invocation: MethodInvocation): Array<Any?> {
		val arguments = invocation.arguments.copyOf()
		val caller = arguments[arguments.lastIndex] as Continuation<*>
		arguments[arguments.lastIndex] = ContextOnly(bodyContext(caller.context, dispatcher))
		return arguments
	}

	private fun bodyContext(callerContext: CoroutineContext, dispatcher: CoroutineDispatcher): CoroutineContext {
		val context = callerContext + dispatcher
		return if (captureContext != null) context + captureContext.invoke() else context
	}

	/**
	 * A continuation that stands for the caller's in the arguments Spring's proxy reads the
	 * body's context from. Never resumed.
	 */
	private class ContextOnly(override val context: CoroutineContext) : Continuation<Any?> {

		override fun resumeWith(result: Result<Any?>) {
			throw IllegalStateException("The event-loop proxy's stand-in continuation cannot be resumed")
		}

	}

	/**
	 * Runs each step of an `@Offload` suspend method through the context's offload
	 * executor, off every loop.
	 */
	private class OffloadDispatcher(private val context: AsyncContext) : CoroutineDispatcher() {

		override fun dispatch(context: CoroutineContext, block: Runnable) {
			this.context.offload { block.run() }
		}

		override fun toString(): String = "EventLoopOffloadDispatcher"

	}

}
