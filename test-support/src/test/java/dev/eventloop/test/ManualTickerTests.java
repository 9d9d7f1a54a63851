package dev.eventloop.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.eventloop.EventLoop;
import dev.eventloop.LoopFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link ManualTicker}.
 */
class ManualTickerTests {

	private final ManualTicker ticker = new ManualTicker();

	private final List<EventLoop> loops = new ArrayList<>();

	@AfterEach
	void shutdown() {
		this.loops.forEach(EventLoop::close);
	}

	private EventLoop loop(String name) {
		EventLoop loop = EventLoop.builder(name).ticker(this.ticker).stallThreshold(Duration.ofSeconds(1)).build();
		this.loops.add(loop);
		return loop;
	}

	@Test
	void aOneSecondFixedRateTaskAdvancedByOneDayRunsExactly86400TimesEachAtItsDueTime() throws Exception {
		EventLoop loop = loop("clock");
		AtomicInteger runs = new AtomicInteger();
		AtomicInteger late = new AtomicInteger();
		loop.submit(() -> loop.scheduleAtFixedRate(() -> {
			long run = runs.incrementAndGet();
			if (!this.ticker.now().equals(Duration.ofSeconds(run))) {
				late.incrementAndGet();
			}
		}, Duration.ofSeconds(1), Duration.ofSeconds(1))).get(30, TimeUnit.SECONDS);
		this.ticker.advance(Duration.ofDays(1));
		assertThat(runs).hasValue(86_400);
		assertThat(late).hasValue(0);
		assertThat(this.ticker.now()).isEqualTo(Duration.ofDays(1));
	}

	@Test
	void timersOfSeveralLoopsRunInDueOrder() throws Exception {
		EventLoop first = loop("first");
		EventLoop second = loop("second");
		List<String> order = Collections.synchronizedList(new ArrayList<>());
		first.schedule(() -> order.add("first at 3s"), Duration.ofSeconds(3));
		second.schedule(() -> order.add("second at 1s"), Duration.ofSeconds(1));
		first.schedule(() -> order.add("first at 2s"), Duration.ofSeconds(2));
		second.schedule(
				() -> second.schedule(() -> order.add("second at 2.5s, scheduled at 1.5s"), Duration.ofSeconds(1)),
				Duration.ofMillis(1500));
		this.ticker.advance(Duration.ofSeconds(2));
		assertThat(order).containsExactly("second at 1s", "first at 2s");
		this.ticker.advance(Duration.ofSeconds(10));
		assertThat(order).containsExactly("second at 1s", "first at 2s", "second at 2.5s, scheduled at 1.5s",
				"first at 3s");
	}

	@Test
	void nothingRunsUntilTimeIsAdvancedAndCancelledTimersNeverRun() throws Exception {
		EventLoop loop = loop("still");
		AtomicInteger runs = new AtomicInteger();
		LoopFuture<Void> cancelled = loop.schedule(runs::incrementAndGet, Duration.ofMillis(10));
		LoopFuture<Void> kept = loop.scheduleWithFixedDelay(runs::incrementAndGet, Duration.ofMinutes(1),
				Duration.ofMinutes(1));
		EventLoopTestSupport.awaitQuiescence(loop, Duration.ofSeconds(30));
		assertThat(runs).hasValue(0);
		assertThat(cancelled.cancel(false)).isTrue();
		this.ticker.advance(Duration.ofMinutes(10));
		assertThat(runs).hasValue(10);
		assertThat(kept).isNotDone();
	}

	@Test
	void movingTimeWhileATaskHoldsTheLoopShowsItsLagAndStallDeterministically() throws Exception {
		EventLoop loop = loop("held");
		AtomicBoolean release = new AtomicBoolean();
		CountDownLatch started = new CountDownLatch(1);
		loop.execute(() -> {
			started.countDown();
			// bounded in wall-clock time, so that a failed assertion cannot leave it
			// spinning
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
			while (!release.get() && System.nanoTime() - deadline < 0) {
				Thread.onSpinWait();
			}
		});
		try {
			assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
			EventLoopAssertions.assertThat(loop).isNotStalled();
			this.ticker.advanceWithoutRunningTimers(Duration.ofSeconds(5));
			assertThat(loop.stats().lag().last()).isGreaterThanOrEqualTo(Duration.ofMillis(4_900));
			// the watchdog reads the same ticker: the task has now run five seconds
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> EventLoopAssertions.assertThat(loop).isStalled());
		}
		finally {
			release.set(true);
		}
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> EventLoopAssertions.assertThat(loop).isNotStalled());
	}

	@Test
	void advancingTimeFromALoopThreadIsRefused() {
		EventLoop loop = loop("self");
		assertThat(loop.submit(() -> {
			assertThatIllegalStateException().isThrownBy(() -> this.ticker.advance(Duration.ofSeconds(1)))
				.withMessageContaining("'self'");
			return "refused";
		})).succeedsWithin(Duration.ofSeconds(30)).isEqualTo("refused");
	}

}
