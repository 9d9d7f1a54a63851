package dev.eventloop.coroutines

import dev.eventloop.EventLoop
import dev.eventloop.EventLoopGroup
import java.time.Duration
import java.util.concurrent.CompletableFuture
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.async
import kotlinx.coroutines.cancel
import kotlinx.coroutines.future.await
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Test

/**
 * Attacks on the resumption a loop abandons at termination: the coroutine's `finally`
 * runs (off the dead loop), its parent sees the cancellation, and so on for a group's
 * dispatchers and for `withContext` from another loop.
 */
class AttackAbandonedResumptionTests {

	private val scope = CoroutineScope(SupervisorJob())

	private val loops = mutableListOf<EventLoop>()

	@AfterEach
	fun close() {
		scope.cancel()
		loops.forEach { it.close() }
	}

	@Test
	fun `an abandoned resumption runs the coroutine's finally off the loop, and its parent sees the cancellation`(): Unit =
		bounded(20_000) {
			val loop = track(EventLoop.builder("abandoned-finally").build())
			val dispatcher = loop.asCoroutineDispatcher()
			val resumeMe = CompletableDeferred<Unit>()
			val suspended = CountDownLatch(1)
			val finallyThread = CompletableFuture<String>()
			val finallyOnLoop = CompletableFuture<Boolean>()
			val parent = Job()
			val child = CoroutineScope(parent).async(dispatcher) {
				try {
					suspended.countDown()
					resumeMe.await()
					"resumed"
				}
				finally {
					finallyOnLoop.complete(loop.inLoop())
					finallyThread.complete(Thread.currentThread().name)
				}
			}
			assertThat(suspended.await(5, TimeUnit.SECONDS)).isTrue()
			val held = loop.hold()
			resumeMe.complete(Unit) // queued behind the task that holds the loop
			val terminated = loop.shutdownGracefully(Duration.ZERO)
			held.countDown()
			terminated.await()
			val failure = runCatching { withTimeout(5_000) { child.await() } }.exceptionOrNull()
			assertThat(failure).isInstanceOf(LoopRejectedCancellationException::class.java)
			assertThat(finallyOnLoop.get(5, TimeUnit.SECONDS)).isFalse()
			assertThat(finallyThread.get(5, TimeUnit.SECONDS)).doesNotStartWith("abandoned-finally")
			assertThat(child.isCancelled).isTrue()
			// a cancellation, not a failure: the parent lives on, as kotlinx does for any
			// cancelled child
			assertThat(parent.isActive).isTrue()
			assertThat(loop.stats().tasks().abandoned()).isEqualTo(1)
			parent.cancel()
		}

	@Test
	fun `coroutines on a group's dispatchers whose resumptions are abandoned are all cancelled, each with its own loop's name`(): Unit =
		bounded(20_000) {
			val group = EventLoopGroup.builder("abandoning-group").threads(3).build()
			try {
				val keys = (0 until 30).toList()
				val gates = keys.map { CompletableDeferred<Unit>() }
				val started = CountDownLatch(keys.size)
				val coroutines = keys.map { key ->
					scope.async(group.dispatcherFor(key)) {
						started.countDown()
						gates[key].await()
						EventLoop.current().get().name()
					}
				}
				assertThat(started.await(5, TimeUnit.SECONDS)).isTrue()
				val holds = group.loops().map { it.hold() }
				gates.forEach { it.complete(Unit) }
				val terminated = group.shutdownGracefully(Duration.ZERO)
				holds.forEach { it.countDown() }
				terminated.await()
				keys.forEach { key ->
					val failure = runCatching { withTimeout(5_000) { coroutines[key].await() } }.exceptionOrNull()
					assertThat(failure).isInstanceOf(LoopRejectedCancellationException::class.java)
					assertThat((failure as LoopRejectedCancellationException).loopName)
						.isEqualTo(group.forKey(key).name())
				}
				assertThat(group.loops().sumOf { it.stats().tasks().abandoned() }).isEqualTo(keys.size.toLong())
			}
			finally {
				group.close()
			}
		}

	@Test
	fun `withContext into a loop that terminates with the hop queued throws the loop's reason back on the caller's loop`(): Unit =
		bounded(20_000) {
			val home = track(EventLoop.builder("home").build())
			val target = track(EventLoop.builder("target").build())
			val held = target.hold()
			val hopping = CountDownLatch(1)
			val outcome = scope.async(home.asCoroutineDispatcher()) {
				val failure = runCatching {
					hopping.countDown()
					withContext(target.asCoroutineDispatcher()) { "ran on target" }
				}.exceptionOrNull()
				// still running: the caller's own job was not cancelled
				Triple(failure, EventLoop.current().map { it.name() }.orElse("none"), coroutineContext[Job]!!.isActive)
			}
			assertThat(hopping.await(5, TimeUnit.SECONDS)).isTrue()
			// the hop is queued on the target (or refused if it comes after the shutdown)
			awaitQueued(target)
			val terminated = target.shutdownGracefully(Duration.ZERO)
			held.countDown()
			terminated.await()
			val (failure, where, active) = withTimeout(5_000) { outcome.await() }
			assertThat(failure).isInstanceOf(LoopRejectedCancellationException::class.java)
				.hasMessageContaining("Event loop 'target'")
			assertThat(where).isEqualTo("home")
			assertThat(active).isTrue()
			assertThat(target.stats().tasks().abandoned()).isEqualTo(1)
		}

	private fun track(loop: EventLoop): EventLoop {
		loops += loop
		return loop
	}

	private suspend fun awaitQueued(loop: EventLoop) {
		withTimeout(5_000) {
			while (loop.stats().tasks().submitted() < 2) {
				kotlinx.coroutines.delay(1)
			}
		}
	}

}
