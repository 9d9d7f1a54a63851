package dev.eventloop.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.eventloop.EventLoop;
import dev.eventloop.LoopFuture;
import dev.eventloop.LoopState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The time-based behaviour of a loop (timers, the lag probe and its threshold,
 * utilisation, shutdown timeouts) under a {@link ManualTicker}: exact figures that do not
 * depend on how busy the machine is.
 */
@Timeout(120)
class LoopTimeTests {

	private final ManualTicker ticker = new ManualTicker();

	private final List<EventLoop> loops = new ArrayList<>();

	private final AtomicBoolean release = new AtomicBoolean();

	@AfterEach
	void shutdown() {
		this.release.set(true);
		this.loops.forEach((loop) -> loop.shutdownGracefully(Duration.ZERO));
		this.ticker.advanceWithoutRunningTimers(Duration.ofDays(1));
	}

	private EventLoop loop(EventLoop.Builder builder) {
		EventLoop loop = builder.ticker(this.ticker).build();
		this.loops.add(loop);
		return loop;
	}

	@Test
	void aScheduledTaskRunsWhenItsDelayHasPassedAndNotBefore() throws Exception {
		EventLoop loop = loop(EventLoop.builder("delayed"));
		AtomicInteger runs = new AtomicInteger();
		LoopFuture<Void> timer = loop.schedule(runs::incrementAndGet, Duration.ofSeconds(30));
		this.ticker.advance(Duration.ofSeconds(30).minusNanos(1));
		assertThat(runs).hasValue(0);
		assertThat(timer).isNotDone();
		this.ticker.advance(Duration.ofNanos(1));
		assertThat(runs).hasValue(1);
		assertThat(timer).isCompleted();
	}

	@Test
	void fixedRateAndFixedDelayTasksRunAtTheirPeriods() throws Exception {
		EventLoop loop = loop(EventLoop.builder("periodic"));
		List<Long> rate = new CopyOnWriteArrayList<>();
		List<Long> delay = new CopyOnWriteArrayList<>();
		loop.scheduleAtFixedRate(() -> rate.add(this.ticker.now().toMillis()), Duration.ofMillis(10),
				Duration.ofMillis(100));
		loop.scheduleWithFixedDelay(() -> delay.add(this.ticker.now().toMillis()), Duration.ZERO,
				Duration.ofMillis(250));
		this.ticker.advance(Duration.ofSeconds(1));
		assertThat(rate).containsExactly(10L, 110L, 210L, 310L, 410L, 510L, 610L, 710L, 810L, 910L);
		assertThat(delay).containsExactly(0L, 250L, 500L, 750L, 1000L);
	}

	@Test
	void theLagProbeMeasuresExactlyHowLongATaskHeldTheLoop() throws Exception {
		EventLoop loop = loop(EventLoop.builder("probed").lagProbeInterval(Duration.ofMillis(100)));
		List<Long> samples = new CopyOnWriteArrayList<>();
		loop.addLagListener(samples::add);
		hold(loop);
		// the probe was due at 100 ms; the task holds the loop until 350 ms
		this.ticker.advanceWithoutRunningTimers(Duration.ofMillis(350));
		this.release.set(true);
		await().atMost(Duration.ofSeconds(30)).until(() -> !samples.isEmpty());
		assertThat(samples.get(0)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(250));
		assertThat(loop.stats().lag().max()).isEqualTo(Duration.ofMillis(250));
	}

	@Test
	void aLoopIsLaggingExactlyWhileItsLagIsAboveTheThreshold() throws Exception {
		EventLoop loop = loop(EventLoop.builder("lagging")
			.lagProbeInterval(Duration.ofMillis(100))
			.lagThreshold(Duration.ofMillis(500)));
		hold(loop);
		this.ticker.advanceWithoutRunningTimers(Duration.ofMillis(600));
		// due at 100 ms, now 600 ms: a lag of exactly the threshold is not above it
		assertThat(loop.stats().lag().last()).isEqualTo(Duration.ofMillis(500));
		assertThat(loop.stats().lag().lagging()).isFalse();
		this.ticker.advanceWithoutRunningTimers(Duration.ofMillis(1));
		assertThat(loop.stats().lag().lagging()).isTrue();
		// once the watchdog has seen the task, it has held the loop for whole probe
		// intervals
		await().atMost(Duration.ofSeconds(30)).until(() -> loop.stats().utilization() == 1.0);
	}

	@Test
	void aShutdownTimeoutEndsOnTheTickersTimeEvenWithATaskThatNeverReturns() throws Exception {
		EventLoop loop = loop(EventLoop.builder("stuck").stallThreshold(Duration.ofSeconds(1)));
		hold(loop);
		List<LoopFuture<String>> queued = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			queued.add(loop.submit(() -> "never"));
		}
		CompletableFuture<Void> termination = loop.shutdownGracefully(Duration.ofSeconds(10));
		// ten seconds of drain budget, in the ticker's time: nothing ends before them
		this.ticker.advanceWithoutRunningTimers(Duration.ofSeconds(9));
		assertThat(loop.state()).isEqualTo(LoopState.SHUTTING_DOWN);
		this.ticker.advanceWithoutRunningTimers(Duration.ofSeconds(2));
		assertThat(termination).succeedsWithin(Duration.ofSeconds(30));
		assertThat(queued).allSatisfy((future) -> assertThat(future).isCompletedExceptionally());
		assertThat(loop.stats().tasks().abandoned()).isEqualTo(5);
	}

	/**
	 * Hold the loop in a task that spins until the test releases it, or for a minute of
	 * wall-clock time at most, so that a failed assertion cannot leave it spinning.
	 */
	private void hold(EventLoop loop) throws InterruptedException {
		CountDownLatch started = new CountDownLatch(1);
		loop.execute(() -> {
			started.countDown();
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
			while (!this.release.get() && System.nanoTime() - deadline < 0) {
				Thread.onSpinWait();
			}
		});
		assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
	}

}
