package dev.eventloop.coroutines

import dev.eventloop.AbandonableTask
import dev.eventloop.EventLoop
import dev.eventloop.EventLoopGroup
import java.time.Duration
import java.util.concurrent.RejectedExecutionException
import java.util.function.BiConsumer
import kotlin.coroutines.CoroutineContext
import kotlinx.coroutines.CancellableContinuation
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Delay
import kotlinx.coroutines.DisposableHandle
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.InternalCoroutinesApi
import kotlinx.coroutines.NonDisposableHandle
import kotlinx.coroutines.cancel

/**
 * A [CoroutineDispatcher] that runs coroutines on one [EventLoop]: every resumption runs
 * on the loop's thread, so state confined to the loop needs no lock across `suspend`
 * points. Get one with [EventLoop.asCoroutineDispatcher] or [EventLoopGroup.dispatcherFor].
 *
 * - **Inline when already on the loop**, as `Dispatchers.Main.immediate` is: a coroutine
 *   started or resumed by code running on the loop runs at once, on the caller's stack
 *   (kotlinx.coroutines queues nested resumptions, so the stack stays flat); from any
 *   other thread the resumption is queued on the loop.
 * - **Time is the loop's**: `delay` and `withTimeout` are served by the loop's own timers,
 *   which read its `Ticker`, so a test's `ManualTicker` moves them.
 * - **Shutdown cancels**: a resumption the loop refuses (it is shut down, or its bounded
 *   queue is full) or abandons (it terminated with the resumption still queued) cancels
 *   the coroutine's job with a [LoopRejectedCancellationException] that names the loop
 *   and carries the loop's reason as its cause; the cancelled coroutine then finishes
 *   (its `finally` blocks run) on `Dispatchers.IO`, as kotlinx's executor dispatchers
 *   do. A `delay` pending when the loop shuts down is cancelled the same way.
 *
 * Two dispatchers of the same loop are equal, so `withContext` between them does not
 * dispatch.
 *
 * @property loop the loop this dispatcher runs coroutines on
 * @since 0.1.0
 */
@OptIn(InternalCoroutinesApi::class)
public class EventLoopDispatcher internal constructor(public val loop: EventLoop) : CoroutineDispatcher(), Delay {

	override fun isDispatchNeeded(context: CoroutineContext): Boolean = !loop.inLoop()

	override fun dispatch(context: CoroutineContext, block: Runnable) {
		try {
			loop.execute(Resumption(this, context, block))
		}
		catch (ex: RejectedExecutionException) {
			refused(context, block, ex)
		}
	}

	/**
	 * Never drop a continuation: cancel its job with the loop's reason, and let it finish
	 * where it can run.
	 */
	private fun refused(context: CoroutineContext, block: Runnable, ex: RejectedExecutionException) {
		context.cancel(LoopRejectedCancellationException(loop, ex))
		Dispatchers.IO.dispatch(context, block)
	}

	override fun scheduleResumeAfterDelay(timeMillis: Long, continuation: CancellableContinuation<Unit>) {
		if (timeMillis >= NEVER_MILLIS) {
			return // as long as the loop lives: only cancellation resumes it
		}
		val resume = DelayedResume(this, continuation)
		val timer = loop.schedule(resume, Duration.ofMillis(timeMillis))
		resume.timer = timer // before the handlers: a cancellation finds the timer to cancel
		continuation.invokeOnCancellation(resume)
		timer.whenComplete(resume)
	}

	override fun invokeOnTimeout(timeMillis: Long, block: Runnable, context: CoroutineContext): DisposableHandle {
		if (timeMillis >= NEVER_MILLIS) {
			return NonDisposableHandle
		}
		val timeout = Timeout(loop, context)
		val timer = loop.schedule(block, Duration.ofMillis(timeMillis))
		timeout.timer = timer
		timer.whenComplete(timeout)
		return timeout
	}

	override fun limitedParallelism(parallelism: Int, name: String?): CoroutineDispatcher {
		require(parallelism >= 1) { "parallelism must be at least 1, but was $parallelism" }
		return this // one thread already
	}

	override fun equals(other: Any?): Boolean = other is EventLoopDispatcher && other.loop === loop

	override fun hashCode(): Int = System.identityHashCode(loop)

	override fun toString(): String = "EventLoopDispatcher[${loop.name()}]"

	/**
	 * One queued resumption: a loop that terminates before running it (its shutdown
	 * timeout ran out) cancels the coroutine, as a refusal does, instead of leaving it
	 * suspended for ever.
	 */
	private class Resumption(
		private val dispatcher: EventLoopDispatcher,
		private val context: CoroutineContext,
		private val block: Runnable,
	) : AbandonableTask {

		override fun run() = block.run()

		override fun abandoned(cause: RejectedExecutionException) = dispatcher.refused(context, block, cause)

	}

	/**
	 * One `delay`: the timer's task (resumes on the loop without a second dispatch), the
	 * continuation's cancellation handler (cancels the timer), and the timer's completion
	 * handler (a timer cancelled by the loop's shutdown cancels the continuation).
	 */
	private class DelayedResume(
		private val dispatcher: EventLoopDispatcher,
		private val continuation: CancellableContinuation<Unit>,
	) : Runnable, BiConsumer<Void?, Throwable?>, (Throwable?) -> Unit {

		// set by the scheduling thread before the handlers are installed, read by the
		// cancellation handler on whichever thread cancels
		@Volatile
		var timer: java.util.concurrent.Future<*>? = null

		@OptIn(ExperimentalCoroutinesApi::class)
		override fun run() {
			// on the loop thread, in a timer: resume here rather than queue again
			with(continuation) { dispatcher.resumeUndispatched(Unit) }
		}

		override fun invoke(cause: Throwable?) {
			timer?.cancel(false)
		}

		override fun accept(result: Void?, failure: Throwable?) {
			if (failure != null && continuation.isActive) {
				continuation.cancel(LoopRejectedCancellationException(dispatcher.loop, failure))
			}
		}

	}

	/**
	 * One timeout (`withTimeout`): disposed when the block ends first; a timer failed or
	 * cancelled by the loop (not by this handle) cancels the coroutine's job, which would
	 * otherwise wait for a timeout that never comes.
	 */
	private class Timeout(
		private val loop: EventLoop,
		private val context: CoroutineContext,
	) : DisposableHandle, BiConsumer<Void?, Throwable?> {

		// set by the scheduling thread before the handle is returned
		@Volatile
		var timer: java.util.concurrent.Future<*>? = null

		// any thread: whether this handle cancelled the timer
		@Volatile
		private var disposed = false

		override fun dispose() {
			disposed = true
			timer?.cancel(false)
		}

		override fun accept(result: Void?, failure: Throwable?) {
			if (failure != null && !disposed) {
				context.cancel(LoopRejectedCancellationException(loop, failure))
			}
		}

	}

	private companion object {

		// a delay this long never ends while the loop lives (and its nanoseconds would
		// overflow): no timer
		const val NEVER_MILLIS: Long = Long.MAX_VALUE / 2_000_000L

	}

}

/**
 * The [kotlinx.coroutines.CancellationException] with which an [EventLoopDispatcher]
 * cancels a coroutine whose resumption its loop refused or whose `delay` its loop's
 * shutdown cancelled. The cause is the loop's own refusal, which says why.
 *
 * @property loopName the name of the loop
 * @since 0.1.0
 */
public class LoopRejectedCancellationException internal constructor(
	public val loopName: String,
	cause: Throwable,
) : kotlinx.coroutines.CancellationException(
	"Event loop '$loopName' could not resume the coroutine (${cause.message}); the coroutine is cancelled. "
		+ "Stop the coroutine's scope before the loop shuts down, or run it on a loop that accepts its work.",
) {

	internal constructor(loop: EventLoop, cause: Throwable) : this(loop.name(), cause)

	init {
		initCause(cause)
	}

}

/**
 * Return a [CoroutineDispatcher] that runs coroutines on this loop: inline when the
 * caller is already on it, with `delay` on the loop's timers. See [EventLoopDispatcher].
 *
 * ```
 * withContext(loop.asCoroutineDispatcher()) { counts.merge(key, 1, Int::plus) }
 * ```
 *
 * @since 0.1.0
 */
public fun EventLoop.asCoroutineDispatcher(): EventLoopDispatcher = EventLoopDispatcher(this)

/**
 * Return a [CoroutineDispatcher] on the loop of this group that owns [key], the loop
 * [EventLoopGroup.forKey] chooses: every coroutine for one key resumes on the same
 * thread.
 *
 * @param key the affinity key, for example an account id
 * @since 0.1.0
 */
public fun EventLoopGroup.dispatcherFor(key: Any): EventLoopDispatcher = forKey(key).asCoroutineDispatcher()
