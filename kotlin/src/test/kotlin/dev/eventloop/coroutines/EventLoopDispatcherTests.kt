package dev.eventloop.coroutines

import dev.eventloop.BlockingOnLoopException
import dev.eventloop.BlockingPolicy
import dev.eventloop.EventLoop
import dev.eventloop.EventLoopGroup
import dev.eventloop.test.ManualTicker
import java.time.Duration
import java.util.concurrent.CompletableFuture
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.CountDownLatch
import java.util.concurrent.RejectedExecutionException
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitCancellation
import kotlinx.coroutines.cancel
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.future.await
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.yield
import org.assertj.core.api.Assertions.assertThat
import org.assertj.core.api.Assertions.assertThatExceptionOfType
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Test

/**
 * A loop as a coroutine dispatcher, driven from a plain test thread: waits are bounded by
 * `withTimeout` on the test's own (real) clock, timers on the loop by a [ManualTicker].
 */
class EventLoopDispatcherTests {

	private val ticker = ManualTicker()

	private val loop: EventLoop = EventLoop.builder("kt").ticker(ticker).build()

	private val dispatcher = loop.asCoroutineDispatcher()

	// coroutines a test starts without waiting for them: cancelled after each test
	private val scope = CoroutineScope(SupervisorJob())

	@AfterEach
	fun shutdown() {
		scope.cancel()
		loop.close()
	}

	@Test
	fun `a coroutine runs on the loop and resumes there after each suspension`(): Unit = bounded {
		val elsewhere = CompletableFuture<String>()
		val threads = withContext(dispatcher) {
			val first = currentLoop()
			Thread { elsewhere.complete("done") }.start() // completed by another thread
			elsewhere.await()
			val second = currentLoop()
			yield()
			listOf(first, second, currentLoop())
		}
		assertThat(threads).containsOnly("kt")
		assertThat(currentLoop()).isEqualTo("none")
	}

	@Test
	fun `a coroutine started on its own loop runs inline, before the starter goes on`(): Unit = bounded {
		val steps = withContext(dispatcher) {
			val steps = mutableListOf<String>() // confined to the loop
			launch(dispatcher) { steps += "child" }
			steps += "parent"
			steps
		}
		assertThat(steps).containsExactly("child", "parent")
	}

	@Test
	fun `a coroutine started from another thread is queued, in the order of starts`(): Unit = bounded {
		val order = CopyOnWriteArrayList<Int>()
		coroutineScope {
			repeat(1_000) { i -> launch(dispatcher) { order += i } }
		}
		assertThat(order).containsExactlyElementsOf(0 until 1_000)
	}

	@Test
	fun `isDispatchNeeded only off the loop`() {
		assertThat(dispatcher.isDispatchNeeded(Dispatchers.Unconfined)).isTrue()
		assertThat(loop.submit { dispatcher.isDispatchNeeded(Dispatchers.Unconfined) }.join()).isFalse()
	}

	@Test
	fun `dispatchers of one loop are equal, so withContext between them does not dispatch`(): Unit = bounded {
		assertThat(loop.asCoroutineDispatcher()).isEqualTo(dispatcher).hasSameHashCodeAs(dispatcher)
		val queued = withContext(dispatcher) {
			val before = loop.stats().tasks().submitted()
			withContext(loop.asCoroutineDispatcher()) { "same loop" }
			loop.stats().tasks().submitted() - before
		}
		assertThat(queued).isZero()
	}

	@Test
	fun `a key's coroutines run on the key's loop of a group`(): Unit = bounded {
		val group = EventLoopGroup.builder("accounts").threads(4).build()
		try {
			val threads = (1..20).map { withContext(group.dispatcherFor("alice")) { currentLoop() } }
			assertThat(threads.toSet()).containsExactly(group.forKey("alice").name())
			assertThat(group.dispatcherFor("alice")).isEqualTo(group.forKey("alice").asCoroutineDispatcher())
		}
		finally {
			group.close()
		}
	}

	@Test
	fun `a one-day delay loop runs in manual time`() {
		var ticks = 0 // confined to the loop
		val job = scope.launch(dispatcher) {
			repeat(24 * 60) {
				delay(60_000)
				ticks++
			}
		}
		ticker.advance(Duration.ofHours(12).minusMillis(1))
		assertThat(loop.submit { ticks }.join()).isEqualTo(12 * 60 - 1)
		ticker.advance(Duration.ofHours(12).plusMillis(1))
		assertThat(loop.submit { ticks }.join()).isEqualTo(24 * 60)
		assertThat(job.isCompleted).isTrue()
	}

	@Test
	fun `withTimeout times out when manual time passes its deadline, not before`() {
		val result = scope.async(dispatcher) { withTimeout(5_000) { awaitCancellation() } }
		ticker.advance(Duration.ofMillis(4_999))
		assertThat(result.isActive).isTrue()
		ticker.advance(Duration.ofMillis(1))
		assertThatExceptionOfType(TimeoutCancellationException::class.java).isThrownBy {
			runBlocking { withTimeout(10_000) { result.await() } }
		}
	}

	@Test
	fun `a cancelled delay leaves the loop's timers and never resumes`(): Unit = bounded {
		val resumed = CompletableDeferred<Boolean>()
		val job = launch(dispatcher, start = CoroutineStart.UNDISPATCHED) {
			try {
				delay(60_000)
				resumed.complete(true)
			}
			finally {
				resumed.complete(false)
			}
		}
		job.cancelAndJoin()
		ticker.advance(Duration.ofMinutes(2))
		assertThat(resumed.await()).isFalse()
	}

	@Test
	fun `cancelling the caller cancels the coroutine on the loop, which cleans up there`(): Unit = bounded {
		val cleanedUpOn = CompletableDeferred<String>()
		val started = CompletableDeferred<Unit>()
		val job = launch(dispatcher) {
			try {
				started.complete(Unit)
				awaitCancellation()
			}
			finally {
				cleanedUpOn.complete(currentLoop())
			}
		}
		started.await()
		job.cancelAndJoin()
		assertThat(cleanedUpOn.await()).isEqualTo("kt")
	}

	@Test
	fun `an exception thrown on the loop reaches the caller`(): Unit = bounded {
		assertThatExceptionOfType(IllegalStateException::class.java).isThrownBy {
			runBlocking { withContext(dispatcher) { check(false) { "no funds" } } }
		}.withMessage("no funds")
	}

	@Test
	fun `a coroutine dispatched to a shut-down loop is cancelled with the loop's reason`(): Unit = bounded {
		loop.close()
		val failure = runCatching { withContext(dispatcher) { "never" } }.exceptionOrNull()
		assertThat(failure).isInstanceOf(LoopRejectedCancellationException::class.java)
			.hasMessageContaining("Event loop 'kt'")
			.hasCauseInstanceOf(RejectedExecutionException::class.java)
	}

	@Test
	fun `a resumption still queued when the loop's shutdown budget runs out is cancelled with the loop's reason`(): Unit =
		bounded {
			val busy = EventLoop.builder("abandoning").build()
			val release = busy.hold()
			// started from this thread: queued on the loop, behind the task that holds it (in
			// the test's scope: a coroutine that is never resumed must fail the test, not hang it)
			val queued = scope.async(busy.asCoroutineDispatcher()) { "never" }
			// a zero budget: the deadline has passed when the loop looks at its queue again
			val terminated = busy.shutdownGracefully(Duration.ZERO)
			release.countDown()
			terminated.await()
			val failure = runCatching { withTimeout(5_000) { queued.await() } }.exceptionOrNull()
			assertThat(failure).isInstanceOf(CancellationException::class.java)
				.isNotInstanceOf(TimeoutCancellationException::class.java)
			assertThat(generateSequence(failure) { it.cause }.toList()).anySatisfy {
				assertThat(it).isInstanceOf(LoopRejectedCancellationException::class.java)
					.hasMessageContaining("Event loop 'abandoning'")
					.hasRootCauseInstanceOf(RejectedExecutionException::class.java)
			}
			assertThat(busy.stats().tasks().abandoned()).isEqualTo(1)
		}

	@Test
	fun `a delay pending when the loop shuts down is cancelled with the loop's reason`(): Unit = bounded {
		val delayed = async(dispatcher, start = CoroutineStart.UNDISPATCHED) { delay(60_000) }
		loop.close()
		val failure = runCatching { delayed.await() }.exceptionOrNull()
		assertThat(failure).isInstanceOf(CancellationException::class.java)
		assertThat(generateSequence(failure) { it.cause }.toList())
			.anySatisfy { assertThat(it).isInstanceOf(LoopRejectedCancellationException::class.java) }
	}

	@Test
	fun `a withTimeout pending when the loop shuts down is cancelled with the loop's reason`(): Unit = bounded {
		val never = CompletableDeferred<Unit>()
		val waiting = async(dispatcher, start = CoroutineStart.UNDISPATCHED) { withTimeout(60_000) { never.await() } }
		loop.close()
		val failure = runCatching { waiting.await() }.exceptionOrNull()
		assertThat(failure).isInstanceOf(CancellationException::class.java)
			.isNotInstanceOf(TimeoutCancellationException::class.java)
		assertThat(generateSequence(failure) { it.cause }.toList())
			.anySatisfy { assertThat(it).isInstanceOf(LoopRejectedCancellationException::class.java) }
	}

	@Test
	fun `waiting for a loop future inside a coroutine on the loop follows the blocking policy`(): Unit = bounded {
		val other = EventLoop.builder("other").build()
		try {
			assertThatExceptionOfType(BlockingOnLoopException::class.java).isThrownBy {
				runBlocking {
					withContext(dispatcher) { other.submit { "late" }.get() }
				}
			}
		}
		finally {
			other.close()
		}
	}

	@Test
	fun `a loop whose policy allows blocking lets a coroutine wait`(): Unit = bounded {
		val lenient = EventLoop.builder("lenient").blockingPolicy(BlockingPolicy.ALLOW).build()
		val other = EventLoop.builder("other").build()
		try {
			assertThat(withContext(lenient.asCoroutineDispatcher()) { other.submit { "late" }.get() }).isEqualTo("late")
		}
		finally {
			lenient.close()
			other.close()
		}
	}

	@Test
	fun `a job on the loop can be joined from a coroutine on another loop`(): Unit = bounded {
		val other = EventLoop.builder("other").build()
		try {
			val job: Job = scope.launch(dispatcher) { delay(1) }
			ticker.advance(Duration.ofMillis(1))
			val joinedOn = withContext(other.asCoroutineDispatcher()) {
				job.join()
				currentLoop()
			}
			assertThat(joinedOn).isEqualTo("other")
		}
		finally {
			other.close()
		}
	}

	private fun currentLoop(): String = EventLoop.current().map { it.name() }.orElse("none")

	/** Run a test body with a bound on its real-time waits. */
}
