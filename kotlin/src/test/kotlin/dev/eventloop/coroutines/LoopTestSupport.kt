package dev.eventloop.coroutines

import dev.eventloop.EventLoop
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.assertj.core.api.Assertions.assertThat

/**
 * Hold the loop in one task, started by the time this returns, until the returned latch
 * is counted down (or 10 s pass): what is queued behind it waits.
 */
internal fun EventLoop.hold(): CountDownLatch {
	val started = CountDownLatch(1)
	val release = CountDownLatch(1)
	execute {
		started.countDown()
		release.await(10, TimeUnit.SECONDS)
	}
	assertThat(started.await(10, TimeUnit.SECONDS)).isTrue()
	return release
}

/** Run a test's coroutine body from the test thread, failing it instead of hanging it. */
internal fun bounded(timeoutMillis: Long = 10_000, body: suspend CoroutineScope.() -> Unit) {
	runBlocking { withTimeout(timeoutMillis) { body() } }
}
