package dev.eventloop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attacks on {@link AbandonableTask}: a task queued when its loop terminates is either
 * run or told, exactly once, whatever races with the drain deadline, and the sweep tells
 * every such task even if one of them fails to take it.
 */
class AttackAbandonableTaskTests {

	@Test
	void underManyProducersRacingTheDrainDeadlineEachTaskIsRunOrAbandonedOrRefusedExactlyOnce() throws Exception {
		for (int round = 0; round < 5; round++) {
			race(round);
		}
	}

	private void race(int round) throws Exception {
		EventLoop loop = EventLoop.builder("racing-" + round).build();
		int producers = 4;
		int perProducer = 5_000;
		Counted[][] tasks = new Counted[producers][perProducer];
		LongAdder refused = new LongAdder();
		CountDownLatch producing = new CountDownLatch(producers);
		ExecutorService pool = Executors.newFixedThreadPool(producers);
		try {
			List<Future<?>> done = new ArrayList<>();
			for (int p = 0; p < producers; p++) {
				int producer = p;
				done.add(pool.submit(() -> {
					producing.countDown();
					for (int i = 0; i < perProducer; i++) {
						Counted task = new Counted();
						tasks[producer][i] = task;
						try {
							loop.execute(task);
						}
						catch (RejectedExecutionException ex) {
							task.refused = true;
							refused.increment();
						}
					}
				}));
			}
			assertThat(producing.await(10, TimeUnit.SECONDS)).isTrue();
			// a budget short enough that the deadline lands among the producers' tasks
			loop.shutdownGracefully(Duration.ofNanos(200_000)).get(30, TimeUnit.SECONDS);
			for (Future<?> future : done) {
				future.get(30, TimeUnit.SECONDS);
			}
			// a producer that offered just after the final sweep sweeps again itself
			long ran = 0;
			long abandoned = 0;
			for (Counted[] row : tasks) {
				for (Counted task : row) {
					int runs = task.runs.get();
					int abandons = task.abandons.get();
					if (task.refused) {
						assertThat(runs + abandons).as("a refused task is never run nor told").isZero();
					}
					else {
						assertThat(runs + abandons).as("run or told, exactly once").isEqualTo(1);
						assertThat(task.cause.get() == null).isEqualTo(abandons == 0);
					}
					ran += runs;
					abandoned += abandons;
				}
			}
			assertThat(ran + abandoned + refused.sum()).isEqualTo((long) producers * perProducer);
			assertThat(loop.stats().tasks().abandoned()).as("abandoned as counted by the loop").isEqualTo(abandoned);
		}
		finally {
			pool.shutdownNow();
		}
	}

	@Test
	void anAbandonedCallbackThatThrowsAnErrorDoesNotKeepTheOthersFromBeingToldNorTheLoopFromTerminating()
			throws Exception {
		EventLoop loop = EventLoop.builder("error-abandoning").build();
		HeldLoop held = HeldLoop.hold(loop);
		Counted failing = new Counted() {

			@Override
			public void abandoned(RejectedExecutionException cause) {
				super.abandoned(cause);
				throw new AssertionError("an abandoned callback that throws an Error");
			}

		};
		Counted behind = new Counted();
		loop.execute(failing);
		loop.execute(behind);
		CompletableFuture<Void> terminated = loop.shutdownGracefully(Duration.ZERO);
		held.release();
		assertThat(terminated).as("the termination future completes").succeedsWithin(Duration.ofSeconds(10));
		assertThat(failing.abandons).hasValue(1);
		assertThat(behind.abandons).as("the task behind the failing one is told").hasValue(1);
		assertThat(loop.stats().tasks().abandoned()).isEqualTo(2);
	}

	@Test
	void aLoopKilledByItsOwnMachineryTellsItsQueuedAbandonableTasks() throws Exception {
		EventLoop loop = EventLoop.builder("dying").build();
		HeldLoop held = HeldLoop.hold(loop);
		InternalError machineryFailure = new InternalError("the loop's own code failed");
		loop.execute(HeldLoop.failingToDeliver(machineryFailure));
		Counted behind = new Counted();
		loop.execute(behind);
		held.release();
		loop.terminationFuture().get(30, TimeUnit.SECONDS);
		assertThat(loop.stats().died()).isTrue();
		assertThat(behind.runs).hasValue(0);
		assertThat(behind.abandons).hasValue(1);
		assertThat(behind.cause.get()).hasMessageContaining("Event loop 'dying'");
		assertThat(loop.stats().tasks().abandoned()).isEqualTo(1);
	}

	@Test
	void anAbandonableTaskOfferedAfterTerminationIsRefusedNotAbandoned() throws Exception {
		EventLoop loop = EventLoop.builder("closed").build();
		loop.shutdownGracefully(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
		Counted late = new Counted();
		AtomicReference<RejectedExecutionException> thrown = new AtomicReference<>();
		try {
			loop.execute(late);
		}
		catch (RejectedExecutionException ex) {
			thrown.set(ex);
		}
		assertThat(thrown.get()).isNotNull();
		assertThat(late.runs).hasValue(0);
		assertThat(late.abandons).as("refused to the caller, not told as well").hasValue(0);
		assertThat(loop.stats().tasks().abandoned()).isZero();
	}

	private static class Counted implements AbandonableTask {

		final AtomicInteger runs = new AtomicInteger();

		final AtomicInteger abandons = new AtomicInteger();

		final AtomicReference<RejectedExecutionException> cause = new AtomicReference<>();

		volatile boolean refused;

		@Override
		public void run() {
			this.runs.incrementAndGet();
			// a little work, so that the deadline passes among the tasks
			long until = System.nanoTime() + 500;
			while (System.nanoTime() - until < 0) {
				Thread.onSpinWait();
			}
		}

		@Override
		public void abandoned(RejectedExecutionException cause) {
			this.abandons.incrementAndGet();
			this.cause.set(cause);
		}

	}

}
