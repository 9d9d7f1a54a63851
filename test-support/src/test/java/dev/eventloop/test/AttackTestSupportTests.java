package dev.eventloop.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.eventloop.AsyncContext;
import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import dev.eventloop.LoopFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Adversarial tests of {@link ManualTicker} and {@link EventLoopTestSupport} promises
 * that held.
 */
class AttackTestSupportTests {

	private final ManualTicker ticker = new ManualTicker();

	private final List<EventLoopGroup> groups = new ArrayList<>();

	private final AsyncContext async = AsyncContext.create();

	@AfterEach
	void shutdown() {
		this.async.close();
		this.groups.forEach((group) -> group.shutdownGracefully(Duration.ofSeconds(2))
			.orTimeout(10, TimeUnit.SECONDS)
			.exceptionally((ex) -> null)
			.join());
	}

	private EventLoop loop(String name) {
		EventLoop loop = EventLoop.builder(name).ticker(this.ticker).build();
		this.groups.add(loop);
		return loop;
	}

	// ---- 4. ManualTicker

	@Test
	@Timeout(120)
	void fixedRateAndFixedDelayAcrossLargeAdvancesOnTwoLoops() throws Exception {
		EventLoop rate = loop("attack-rate");
		EventLoop delay = loop("attack-delay");
		AtomicInteger rateRuns = new AtomicInteger();
		AtomicInteger rateLate = new AtomicInteger();
		AtomicInteger delayRuns = new AtomicInteger();
		AtomicInteger delayLate = new AtomicInteger();
		rate.scheduleAtFixedRate(() -> {
			int run = rateRuns.incrementAndGet();
			if (this.ticker.now().toNanos() != TimeUnit.SECONDS.toNanos(run)) {
				rateLate.incrementAndGet();
			}
		}, Duration.ofSeconds(1), Duration.ofSeconds(1));
		delay.scheduleWithFixedDelay(() -> {
			int run = delayRuns.incrementAndGet();
			if (this.ticker.now().toNanos() != TimeUnit.SECONDS.toNanos(2L * run)) {
				delayLate.incrementAndGet();
			}
		}, Duration.ofSeconds(2), Duration.ofSeconds(2));
		this.ticker.advance(Duration.ofHours(3));
		this.ticker.advance(Duration.ZERO);
		this.ticker.advance(Duration.ofMillis(999));
		assertThat(rateRuns).hasValue(3 * 3600);
		assertThat(delayRuns).hasValue(3 * 1800);
		assertThat(rateLate).hasValue(0);
		assertThat(delayLate).hasValue(0);
	}

	@Test
	@Timeout(60)
	void concurrentAdvancesFromTwoThreadsAddUp() throws Exception {
		EventLoop first = loop("attack-concurrent-1");
		EventLoop second = loop("attack-concurrent-2");
		AtomicInteger runs = new AtomicInteger();
		first.scheduleAtFixedRate(runs::incrementAndGet, Duration.ofMillis(1), Duration.ofMillis(1));
		second.scheduleWithFixedDelay(runs::incrementAndGet, Duration.ofMillis(1), Duration.ofMillis(1));
		CyclicBarrier barrier = new CyclicBarrier(2);
		List<CompletableFuture<Void>> advancers = new ArrayList<>();
		// two threads of their own: the common pool may have a single thread on two cores
		java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(2);
		for (int t = 0; t < 2; t++) {
			advancers.add(CompletableFuture.runAsync(() -> {
				try {
					barrier.await(5, TimeUnit.SECONDS);
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
				for (int i = 0; i < 500; i++) {
					this.ticker.advance(Duration.ofMillis(1));
				}
			}, threads));
		}
		try {
			CompletableFuture.allOf(advancers.toArray(new CompletableFuture<?>[0])).get(50, TimeUnit.SECONDS);
		}
		finally {
			threads.shutdownNow();
		}
		assertThat(this.ticker.now()).isEqualTo(Duration.ofSeconds(1));
		assertThat(runs).hasValue(2000);
	}

	@Test
	@Timeout(30)
	void loopsCreatedAfterAdvancingAndLoopsTerminatingWhileAttached() throws Exception {
		this.ticker.advance(Duration.ofHours(1));
		EventLoop late = loop("attack-late");
		AtomicLong seen = new AtomicLong();
		late.schedule(() -> seen.set(this.ticker.now().toNanos()), Duration.ofSeconds(1));
		this.ticker.advance(Duration.ofSeconds(1));
		assertThat(seen).hasValue(TimeUnit.SECONDS.toNanos(3601));
		for (int trial = 0; trial < 20; trial++) {
			EventLoop dying = EventLoop.builder("attack-dying-" + trial).ticker(this.ticker).build();
			LoopFuture<Void> periodic = dying.scheduleAtFixedRate(() -> {
			}, Duration.ZERO, Duration.ofMillis(1));
			CompletableFuture<Void> terminated = CompletableFuture
				.runAsync(() -> dying.shutdownGracefully(Duration.ofMillis(1)).orTimeout(10, TimeUnit.SECONDS).join());
			for (int i = 0; i < 20; i++) {
				this.ticker.advance(Duration.ofMillis(1));
			}
			terminated.get(10, TimeUnit.SECONDS);
			this.ticker.advance(Duration.ofMillis(5));
			assertThat(periodic).isCompletedExceptionally();
		}
	}

	// ---- 5. awaitQuiescence

	@Test
	@Timeout(120)
	void awaitQuiescenceWaitsForWorkBouncingBetweenLoops() throws Exception {
		EventLoopGroup group = EventLoopGroup.builder("attack-bounce").threads(2).build();
		this.groups.add(group);
		EventLoop a = group.loops().get(0);
		EventLoop b = group.loops().get(1);
		for (int trial = 0; trial < 30; trial++) {
			AtomicInteger counter = new AtomicInteger();
			int hops = 2000;
			switch (trial % 3) {
				case 0 -> a.execute(() -> bounceExecute(a, b, counter, hops));
				case 1 -> a.execute(() -> bounceSubmit(a, b, counter, hops));
				default -> a.execute(() -> bounceDispatch(group, counter, hops, 0));
			}
			EventLoopTestSupport.awaitQuiescence(group, Duration.ofSeconds(30));
			assertThat(counter).as("trial " + trial).hasValue(hops);
		}
	}

	private static void bounceExecute(EventLoop here, EventLoop there, AtomicInteger counter, int hops) {
		if (counter.incrementAndGet() < hops) {
			there.execute(() -> bounceExecute(there, here, counter, hops));
		}
	}

	private static void bounceSubmit(EventLoop here, EventLoop there, AtomicInteger counter, int hops) {
		if (counter.incrementAndGet() < hops) {
			// the continuation runs on `here` after a completion hop
			there.submit(() -> null).thenRun(() -> there.execute(() -> bounceSubmit(there, here, counter, hops)));
		}
	}

	private void bounceDispatch(EventLoopGroup group, AtomicInteger counter, int hops, int key) {
		if (counter.incrementAndGet() < hops) {
			this.async.dispatch(group, "k" + (key + 1), () -> {
				bounceDispatch(group, counter, hops, key + 1);
				return null;
			});
		}
	}

}
