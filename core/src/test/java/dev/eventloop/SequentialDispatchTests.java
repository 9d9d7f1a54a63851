package dev.eventloop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@link AsyncContext#dispatchSequentially}: asynchronous work one task at a time per
 * key, until its future completes. The tests complete the tasks' futures themselves, or
 * by loop timers under hand-moved time, so that "later" is exactly when a test says.
 */
class SequentialDispatchTests {

	private final AsyncContext async = AsyncContext.create();

	private final EventLoopGroup group = EventLoopGroup.builder("lanes").threads(2).build();

	@AfterEach
	void shutdown() {
		this.async.close();
		this.group.shutdownGracefully(Duration.ofSeconds(5)).join();
	}

	@Test
	void aTaskOfAKeyStartsOnlyOnceThePreviousTasksFutureHasCompleted() throws Exception {
		List<CompletableFuture<String>> work = new ArrayList<>();
		List<String> started = Collections.synchronizedList(new ArrayList<>());
		List<LoopFuture<String>> results = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			CompletableFuture<String> pending = new CompletableFuture<>();
			work.add(pending);
			String name = "task" + i;
			results.add(this.async.dispatchSequentially(this.group, "account-1", () -> {
				started.add(name);
				return pending;
			}));
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> started.size() == 1);
		// the first task has returned its future; the second must not start before it
		// completes
		assertThat(this.async.dispatch(this.group, "account-1", () -> List.copyOf(started)).get(5, TimeUnit.SECONDS))
			.containsExactly("task0");
		work.get(0).complete("first");
		assertThat(results.get(0).get(5, TimeUnit.SECONDS)).isEqualTo("first");
		await().atMost(Duration.ofSeconds(5)).until(() -> started.size() == 2);
		work.get(1).complete("second");
		work.get(2).complete("third");
		assertThat(results.get(2).get(5, TimeUnit.SECONDS)).isEqualTo("third");
		assertThat(started).containsExactly("task0", "task1", "task2");
	}

	@Test
	void aTaskRunsOnTheLoopThatOwnsItsKey() throws Exception {
		EventLoop owner = this.group.forKey("account-7");
		LoopFuture<EventLoop> ran = this.async.dispatchSequentially(this.group, "account-7",
				() -> CompletableFuture.completedFuture(EventLoop.currentOrNull()));
		assertThat(ran.get(5, TimeUnit.SECONDS)).isSameAs(owner);
	}

	@Test
	void otherKeysKeepRunningWhileOneKeyWaitsForItsFuture() throws Exception {
		CompletableFuture<String> stuck = new CompletableFuture<>();
		this.async.dispatchSequentially(this.group, "slow", () -> stuck);
		LoopFuture<String> behindSlow = this.async.dispatchSequentially(this.group, "slow",
				() -> CompletableFuture.completedFuture("late"));
		List<LoopFuture<Integer>> others = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			int value = i;
			others.add(this.async.dispatchSequentially(this.group, "key-" + i,
					() -> CompletableFuture.completedFuture(value)));
		}
		for (int i = 0; i < 100; i++) {
			assertThat(others.get(i).get(5, TimeUnit.SECONDS)).isEqualTo(i);
		}
		assertThat(behindSlow).isNotDone();
		stuck.complete("done");
		assertThat(behindSlow.get(5, TimeUnit.SECONDS)).isEqualTo("late");
	}

	@Test
	void aFailureFailsItsOwnFutureAndLetsTheNextTaskOfTheKeyStart() throws Exception {
		LoopFuture<String> thrown = this.async.dispatchSequentially(this.group, "k", () -> {
			throw new IllegalStateException("thrown");
		});
		LoopFuture<String> failed = this.async.dispatchSequentially(this.group, "k",
				() -> CompletableFuture.failedFuture(new IllegalArgumentException("failed")));
		LoopFuture<String> returnedNull = this.async.dispatchSequentially(this.group, "k", () -> null);
		LoopFuture<String> next = this.async.dispatchSequentially(this.group, "k",
				() -> CompletableFuture.completedFuture("next"));
		assertThat(next.get(5, TimeUnit.SECONDS)).isEqualTo("next");
		assertThatThrownBy(thrown::join).hasCauseInstanceOf(IllegalStateException.class);
		assertThatThrownBy(failed::join).hasCauseInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(returnedNull::join).hasCauseInstanceOf(NullPointerException.class)
			.hasMessageContaining("returned null");
	}

	@Test
	void cancellingATaskNotYetStartedSkipsItAndCancellingARunningOneCancelsItsFuture() throws Exception {
		CompletableFuture<String> running = new CompletableFuture<>();
		AtomicInteger skippedRan = new AtomicInteger();
		LoopFuture<String> first = this.async.dispatchSequentially(this.group, "k", () -> running);
		LoopFuture<String> skipped = this.async.dispatchSequentially(this.group, "k", () -> {
			skippedRan.incrementAndGet();
			return CompletableFuture.completedFuture("skipped");
		});
		LoopFuture<String> last = this.async.dispatchSequentially(this.group, "k",
				() -> CompletableFuture.completedFuture("last"));
		assertThat(skipped.cancel(false)).isTrue();
		await().atMost(Duration.ofSeconds(5)).until(() -> running.getNumberOfDependents() > 0);
		first.cancel(false);
		assertThat(running).isCancelled();
		assertThat(last.get(5, TimeUnit.SECONDS)).isEqualTo("last");
		assertThat(skippedRan).hasValue(0);
		assertThatThrownBy(first::join).isInstanceOf(CancellationException.class);
	}

	@Test
	void tasksRefusedByALoopThatHasShutDownFailTheirFuturesAndNoneIsLost() throws Exception {
		CompletableFuture<String> pending = new CompletableFuture<>();
		LoopFuture<String> first = this.async.dispatchSequentially(this.group, "k", () -> pending);
		List<LoopFuture<String>> waiting = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			waiting.add(this.async.dispatchSequentially(this.group, "k", () -> CompletableFuture.completedFuture("x")));
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> pending.getNumberOfDependents() > 0);
		this.group.shutdownGracefully(Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS);
		pending.complete("first");
		assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("first");
		for (LoopFuture<String> future : waiting) {
			assertThatThrownBy(() -> future.get(5, TimeUnit.SECONDS))
				.hasCauseInstanceOf(RejectedExecutionException.class);
		}
		assertThatThrownBy(
				() -> this.async.dispatchSequentially(this.group, "k", () -> CompletableFuture.completedFuture("after"))
					.get(5, TimeUnit.SECONDS))
			.hasCauseInstanceOf(RejectedExecutionException.class);
	}

	@Test
	void manyKeysWithWorkCompletedLaterNeverOverlapWithinAKeyAndKeepTheirOrder() throws Exception {
		int keys = 200;
		int perKey = 50;
		Map<Integer, AtomicInteger> inFlight = new ConcurrentHashMap<>();
		Map<Integer, List<Integer>> order = new ConcurrentHashMap<>();
		AtomicInteger overlaps = new AtomicInteger();
		List<LoopFuture<Integer>> results = new ArrayList<>();
		for (int i = 0; i < perKey; i++) {
			for (int key = 0; key < keys; key++) {
				int k = key;
				int seq = i;
				results.add(this.async.dispatchSequentially(this.group, k, () -> {
					if (inFlight.computeIfAbsent(k, (x) -> new AtomicInteger()).incrementAndGet() != 1) {
						overlaps.incrementAndGet();
					}
					order.computeIfAbsent(k, (x) -> Collections.synchronizedList(new ArrayList<>())).add(seq);
					// completed later, by a timer of the loop, after other keys have run
					CompletableFuture<Integer> done = new CompletableFuture<>();
					EventLoop.currentOrNull().schedule(() -> {
						inFlight.get(k).decrementAndGet();
						done.complete(seq);
					}, Duration.ofNanos(1 + (seq * 7919L + k) % 200_000));
					return done;
				}));
			}
		}
		for (LoopFuture<Integer> result : results) {
			result.get(30, TimeUnit.SECONDS);
		}
		assertThat(overlaps).hasValue(0);
		List<Integer> expected = new ArrayList<>();
		for (int i = 0; i < perKey; i++) {
			expected.add(i);
		}
		assertThat(order).hasSize(keys);
		order.values().forEach((seen) -> assertThat(seen).isEqualTo(expected));
	}

	@Test
	void aKeyWaitsForAFutureCompletedByAOneHourTimerUnderManualTime() throws Exception {
		HandMovedTicker ticker = new HandMovedTicker();
		EventLoopGroup timed = EventLoopGroup.builder("timed-lanes").threads(1).ticker(ticker).build();
		try {
			List<String> started = Collections.synchronizedList(new ArrayList<>());
			LoopFuture<String> first = this.async.dispatchSequentially(timed, "account-1", () -> {
				started.add("first");
				CompletableFuture<String> reply = new CompletableFuture<>();
				EventLoop.currentOrNull().schedule(() -> reply.complete("an hour later"), Duration.ofHours(1));
				return reply;
			});
			LoopFuture<String> second = this.async.dispatchSequentially(timed, "account-1", () -> {
				started.add("second");
				return CompletableFuture.completedFuture("then");
			});
			LoopFuture<String> other = this.async.dispatchSequentially(timed, "account-2",
					() -> CompletableFuture.completedFuture("other key"));
			assertThat(other.get(5, TimeUnit.SECONDS)).isEqualTo("other key");
			ticker.advance(Duration.ofMinutes(59));
			assertThat(started).containsExactly("first");
			assertThat(second).isNotDone();
			ticker.advance(Duration.ofMinutes(1));
			assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("an hour later");
			assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo("then");
			assertThat(started).containsExactly("first", "second");
		}
		finally {
			timed.shutdownGracefully(Duration.ofSeconds(5)).join();
		}
	}

	/**
	 * Time that moves only when the test says, running the timers that fall due (what the
	 * test-support module's {@code ManualTicker} does, which core's tests cannot depend
	 * on).
	 */
	static final class HandMovedTicker implements Ticker {

		private final AtomicLong now = new AtomicLong();

		private final List<TimedLoop> loops = new CopyOnWriteArrayList<>();

		@Override
		public long nanoTime() {
			return this.now.get();
		}

		@Override
		public void attach(TimedLoop loop) {
			this.loops.add(loop);
		}

		void advance(Duration duration) throws Exception {
			this.now.addAndGet(duration.toNanos());
			for (TimedLoop loop : this.loops) {
				loop.runDueTimers().get(5, TimeUnit.SECONDS);
			}
		}

	}

}
