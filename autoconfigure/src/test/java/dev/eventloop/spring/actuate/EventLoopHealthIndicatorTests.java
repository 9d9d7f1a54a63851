package dev.eventloop.spring.actuate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.eventloop.EventLoop;
import dev.eventloop.LoopState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link EventLoopHealthIndicator}, with real loops held by a busy task or by a
 * task waiting on a latch.
 */
class EventLoopHealthIndicatorTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final List<EventLoop> loops = new ArrayList<>();

	private final AtomicBoolean release = new AtomicBoolean();

	private final CountDownLatch latch = new CountDownLatch(1);

	@AfterEach
	void shutdown() {
		this.release.set(true);
		this.latch.countDown();
		this.loops.forEach((loop) -> loop.shutdownGracefully(Duration.ofSeconds(5)));
		this.loops.forEach((loop) -> loop.terminationFuture().orTimeout(30, TimeUnit.SECONDS).join());
	}

	@Test
	void aRunningResponsiveLoopIsUpWithItsDetails() {
		EventLoop loop = loop(EventLoop.builder("healthy"));
		Health health = new EventLoopHealthIndicator(loop).health();
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsEntry("state", LoopState.RUNNING)
			.containsEntry("queueSize", 0)
			.containsEntry("stalledForMillis", 0.0)
			.containsKeys("lagMillis", "utilization")
			.doesNotContainKey("reason");
	}

	@Test
	void aLoopBusyInOneTaskPastTheStallThresholdIsDownAsStalled() {
		EventLoop loop = loop(EventLoop.builder("spinning").stallThreshold(Duration.ofMillis(200)));
		EventLoopHealthIndicator indicator = new EventLoopHealthIndicator(loop);
		loop.execute(this::spinUntilReleased);
		await().atMost(WAIT).untilAsserted(() -> {
			Health health = indicator.health();
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			assertThat(health.getDetails()).containsEntry("reason", "stalled").containsKey("since");
			assertThat((double) health.getDetails().get("stalledForMillis")).isPositive();
		});
	}

	@Test
	void aLoopWaitingInOneTaskIsDownAsBlockedBeforeTheStallThreshold() {
		EventLoop loop = loop(EventLoop.builder("waiting").stallThreshold(Duration.ofMinutes(1)));
		EventLoopHealthIndicator indicator = new EventLoopHealthIndicator(loop);
		loop.execute(this::awaitLatch);
		await().atMost(WAIT).untilAsserted(() -> {
			Health health = indicator.health();
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			assertThat(health.getDetails()).containsEntry("reason", "blocked");
		});
	}

	@Test
	void aLoopWhoseLagIsAboveTheLagThresholdIsDownAsLagging() {
		EventLoop loop = loop(EventLoop.builder("lagging")
			.stallThreshold(Duration.ofMinutes(1))
			.lagThreshold(Duration.ofMillis(100))
			.lagProbeInterval(Duration.ofMillis(10)));
		EventLoopHealthIndicator indicator = new EventLoopHealthIndicator(loop);
		loop.execute(this::spinUntilReleased);
		await().atMost(WAIT).untilAsserted(() -> {
			Health health = indicator.health();
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			assertThat(health.getDetails()).containsEntry("reason", "lagging");
			assertThat((double) health.getDetails().get("lagMillis")).isGreaterThan(100.0);
		});
	}

	@Test
	void aLoopThatMovesOnFromAStallIsUpAgain() {
		EventLoop loop = loop(EventLoop.builder("recovering").stallThreshold(Duration.ofMillis(200)));
		EventLoopHealthIndicator indicator = new EventLoopHealthIndicator(loop);
		loop.execute(this::spinUntilReleased);
		await().atMost(WAIT).until(() -> indicator.health().getStatus().equals(Status.DOWN));
		this.release.set(true);
		await().atMost(WAIT).until(() -> indicator.health().getStatus().equals(Status.UP));
	}

	@Test
	void aLoopThatWasShutDownIsOutOfService() {
		EventLoop loop = loop(EventLoop.builder("stopped"));
		loop.shutdownGracefully(Duration.ofSeconds(5)).orTimeout(30, TimeUnit.SECONDS).join();
		Health health = new EventLoopHealthIndicator(loop).health();
		assertThat(health.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
		assertThat(health.getDetails()).containsEntry("reason", "shut down")
			.containsEntry("state", LoopState.TERMINATED);
	}

	@Test
	void createWithoutALoopFails() {
		assertThatNullPointerException().isThrownBy(() -> new EventLoopHealthIndicator(null))
			.withMessage("loop must not be null");
	}

	private EventLoop loop(EventLoop.Builder builder) {
		EventLoop loop = builder.build();
		this.loops.add(loop);
		return loop;
	}

	private void spinUntilReleased() {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (!this.release.get() && System.nanoTime() - deadline < 0) {
			Thread.onSpinWait();
		}
	}

	private void awaitLatch() {
		try {
			this.latch.await(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
