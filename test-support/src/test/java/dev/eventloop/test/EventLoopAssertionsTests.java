package dev.eventloop.test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.eventloop.AsyncContext;
import dev.eventloop.BlockingPolicy;
import dev.eventloop.EventLoop;
import dev.eventloop.LoopFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link EventLoopAssertions} and {@link EventLoopAssert}.
 */
class EventLoopAssertionsTests {

	private final EventLoop loop = EventLoop.builder("asserted")
		.blockingPolicy(BlockingPolicy.WARN)
		.stallThreshold(Duration.ofMillis(200))
		.build();

	@AfterEach
	void shutdown() {
		this.loop.close();
	}

	@Test
	void countsOfCompletedAndFailedRunsAreAsserted() throws Exception {
		this.loop.submit(() -> "ok").get(30, TimeUnit.SECONDS);
		LoopFuture<Object> failing = this.loop.submit(() -> {
			throw new IllegalStateException("boom");
		});
		assertThat(failing).failsWithin(Duration.ofSeconds(30));
		EventLoopTestSupport.awaitQuiescence(this.loop, Duration.ofSeconds(30));
		EventLoopAssertions.assertThat(this.loop).isIdle().hasCompleted(1).hasFailed(1).hasNoBlockingViolations();
		assertThatExceptionOfType(AssertionError.class)
			.isThrownBy(() -> EventLoopAssertions.assertThat(this.loop).hasCompleted(2))
			.withMessageContaining("completed 1");
		assertThatExceptionOfType(AssertionError.class)
			.isThrownBy(() -> EventLoopAssertions.assertThat(this.loop).hasFailed(0))
			.withMessageContaining("but 1 failed");
	}

	@Test
	void blockingViolationsAreReported() throws Exception {
		try (AsyncContext async = AsyncContext.create()) {
			EventLoop other = EventLoop.builder("other").build();
			try {
				this.loop.submit(() -> async.call(other, () -> "waited for")).get(30, TimeUnit.SECONDS);
			}
			finally {
				other.close();
			}
		}
		assertThatExceptionOfType(AssertionError.class)
			.isThrownBy(() -> EventLoopAssertions.assertThat(this.loop).hasNoBlockingViolations())
			.withMessageContaining("blocked 1 times");
	}

	@Test
	void aHeldLoopIsNeitherIdleNorUnstalled() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch started = new CountDownLatch(1);
		this.loop.execute(() -> {
			started.countDown();
			try {
				release.await(30, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		try {
			assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
			assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> EventLoopAssertions.assertThat(this.loop).isIdle())
				.withMessageContaining("a task running");
			org.awaitility.Awaitility.await()
				.atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> EventLoopAssertions.assertThat(this.loop).isStalled());
			assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> EventLoopAssertions.assertThat(this.loop).isNotStalled())
				.withMessageContaining("'asserted' not to be stalled");
		}
		finally {
			release.countDown();
		}
	}

}
