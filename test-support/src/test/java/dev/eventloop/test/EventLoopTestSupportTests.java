package dev.eventloop.test;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link EventLoopTestSupport}.
 */
class EventLoopTestSupportTests {

	private final EventLoopGroup group = EventLoopGroup.builder("settling").threads(3).build();

	@AfterEach
	void shutdown() {
		this.group.close();
	}

	@Test
	void awaitQuiescenceWaitsForWorkThatTasksQueueOnOtherLoops() {
		AtomicInteger hops = new AtomicInteger();
		this.group.loops().get(0).execute(() -> hop(0, 3_000, hops));
		EventLoopTestSupport.awaitQuiescence(this.group, Duration.ofSeconds(30));
		assertThat(hops).hasValue(3_000);
		this.group.loops().forEach((loop) -> EventLoopAssertions.assertThat(loop).isIdle());
	}

	private void hop(int index, int remaining, AtomicInteger hops) {
		hops.incrementAndGet();
		if (remaining > 1) {
			EventLoop next = this.group.loops().get((index + 1) % this.group.size());
			next.execute(() -> hop((index + 1) % this.group.size(), remaining - 1, hops));
		}
	}

	@Test
	void awaitQuiescenceNamesTheBusyLoopAndItsQueueWhenItTimesOut() throws Exception {
		EventLoop held = this.group.loops().get(1);
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch started = new CountDownLatch(1);
		held.execute(() -> {
			started.countDown();
			awaitQuietly(release);
		});
		assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
		held.execute(() -> {
		});
		held.execute(() -> {
		});
		try {
			assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> EventLoopTestSupport.awaitQuiescence(this.group, Duration.ofMillis(200)))
				.withMessageContaining("'settling-1'")
				.withMessageContaining("2 tasks queued")
				.withMessageContaining("a task running");
		}
		finally {
			release.countDown();
		}
	}

	@Test
	void runOnReturnsTheValueComputedOnTheLoop() throws Exception {
		EventLoop loop = this.group.loops().get(2);
		assertThat(EventLoopTestSupport.runOn(loop, () -> Thread.currentThread().getName())).isEqualTo("settling-2");
	}

	@Test
	void runOnRethrowsTheTasksFailureAsItWasThrown() {
		IOException failure = new IOException("disk full");
		assertThatExceptionOfType(IOException.class)
			.isThrownBy(() -> EventLoopTestSupport.runOn(this.group.loops().get(0), () -> {
				throw failure;
			}))
			.isSameAs(failure);
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
