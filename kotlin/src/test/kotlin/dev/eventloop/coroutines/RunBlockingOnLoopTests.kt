package dev.eventloop.coroutines

import dev.eventloop.BlockingOnLoopException
import dev.eventloop.BlockingPolicy
import dev.eventloop.EventLoop
import java.time.Duration
import java.util.concurrent.ExecutionException
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.runBlocking
import org.assertj.core.api.Assertions.assertThat
import org.assertj.core.api.Assertions.assertThatExceptionOfType
import org.awaitility.Awaitility.await
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Tag
import org.junit.jupiter.api.Test
import reactor.blockhound.BlockHound

/**
 * `runBlocking` on a loop, with BlockHound installed (its integration from
 * `eventloop-spring` marks loop threads as non-blocking): the loop's blocking policy
 * applies to the park inside `runBlocking`. In a JVM of its own (the `blockhound` surefire
 * execution): BlockHound instruments the JVM for good.
 */
@Tag("blockhound")
class RunBlockingOnLoopTests {

	private val loops = mutableListOf<EventLoop>()

	@AfterEach
	fun shutdown() {
		loops.forEach(EventLoop::close)
	}

	@Test
	fun `runBlocking that waits on a loop is refused under the FAIL policy`() {
		val loop = loop("strict", BlockingPolicy.FAIL)
		val never = CompletableDeferred<Unit>()
		assertThatExceptionOfType(ExecutionException::class.java)
			.isThrownBy { loop.submit { runBlocking { never.await() } }.get(10, TimeUnit.SECONDS) }
			.withCauseInstanceOf(BlockingOnLoopException::class.java)
	}

	@Test
	fun `runBlocking that waits on a loop is counted and allowed under the WARN policy`() {
		val loop = loop("lenient", BlockingPolicy.WARN)
		val later = CompletableDeferred<String>()
		val result = loop.submit { runBlocking { later.await() } }
		// completed only once the loop has parked in runBlocking, and counted it
		await().atMost(Duration.ofSeconds(10)).until { loop.stats().tasks().blockingViolations() > 0 }
		later.complete("done")
		assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("done")
	}

	@Test
	fun `runBlocking that never waits is not blocking`() {
		val loop = loop("quick", BlockingPolicy.FAIL)
		assertThat(loop.submit { runBlocking { "at once" } }.get(10, TimeUnit.SECONDS)).isEqualTo("at once")
	}

	private fun loop(name: String, policy: BlockingPolicy): EventLoop =
		EventLoop.builder(name).blockingPolicy(policy).build().also { loops += it }

	companion object {

		@JvmStatic
		@BeforeAll
		fun installBlockHound() {
			BlockHound.install()
		}

	}

}
