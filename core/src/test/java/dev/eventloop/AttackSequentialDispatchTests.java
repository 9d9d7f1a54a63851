package dev.eventloop;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 * Attacks on the promises of {@code docs/dispatch.md}, "One at a time per key"
 * ({@link AsyncContext#dispatchSequentially}, {@link KeyLanes}), and of the Javadoc of
 * {@code LoopTimers.cancelled}: timers cancelled from other threads are purged once they
 * add up to a quarter of the heap and at least 64, so fewer than that stay.
 */
class AttackSequentialDispatchTests {

	private static final Duration WAIT = Duration.ofSeconds(5);

	private final AsyncContext async = AsyncContext.create();

	private final List<EventLoopGroup> groups = new ArrayList<>();

	@AfterEach
	void shutdown() {
		this.async.close();
		for (EventLoopGroup group : this.groups) {
			group.shutdownGracefully(WAIT).join();
		}
	}

	/**
	 * "a call whose loop has shut down fails its future, and the calls behind it still
	 * run or fail in turn: none is dropped silently". The attack: the call has already
	 * been handed to its loop (it sits in the loop's queue) when the shutdown's drain
	 * budget runs out, so the loop abandons it.
	 */
	@Test
	void aCallQueuedOnItsLoopWhenTheShutdownTimeoutRunsOutFailsItsFutureAndTheCallsBehindItFailToo() throws Exception {
		EventLoopGroup group = group(EventLoopGroup.builder("attack-abandon").threads(1));
		EventLoop loop = group.loops().get(0);
		CountDownLatch entered = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		loop.execute(() -> {
			entered.countDown();
			awaitQuietly(release);
		});
		assertThat(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
		AtomicInteger ran = new AtomicInteger();
		// the key is idle: the call goes straight into the loop's queue, behind the
		// busy task
		LoopFuture<String> queued = this.async.dispatchSequentially(group, "k", () -> {
			ran.incrementAndGet();
			return CompletableFuture.completedFuture("queued");
		});
		// this one waits in the key's lane
		LoopFuture<String> behind = this.async.dispatchSequentially(group, "k", () -> {
			ran.incrementAndGet();
			return CompletableFuture.completedFuture("behind");
		});
		CompletableFuture<Void> terminated = group.shutdownGracefully(Duration.ZERO);
		release.countDown();
		terminated.get(WAIT.toSeconds(), TimeUnit.SECONDS);
		assertThat(loop.stats().tasks().abandoned()).as("the loop abandoned the queued call").isEqualTo(1);

		assertThatThrownBy(() -> queued.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the abandoned call's future fails")
			.isInstanceOf(ExecutionException.class)
			.hasCauseInstanceOf(RejectedExecutionException.class);
		assertThatThrownBy(() -> behind.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the call behind it fails in turn")
			.isInstanceOf(ExecutionException.class)
			.hasCauseInstanceOf(RejectedExecutionException.class);
		assertThat(ran).hasValue(0);
	}

	/**
	 * "Calls waiting for their key wait in a KeyLanes structure beside the loop, not in
	 * its queue, so they neither count against queue-capacity nor hold up other keys".
	 * The attack: many keys' waiting calls get their turn at the same moment, while the
	 * loop (bounded queue of 8) is busy with one task. None of them was refused when it
	 * was dispatched; each must run once its key's previous call is done.
	 */
	@Test
	void waitingCallsWhoseTurnComesWhileTheLoopIsBusyAreNotRefusedForQueueCapacity() throws Exception {
		int keys = 32;
		EventLoopGroup group = group(EventLoopGroup.builder("attack-capacity").threads(1).queueCapacity(8));
		EventLoop loop = group.loops().get(0);
		List<CompletableFuture<Integer>> stuck = new ArrayList<>();
		List<LoopFuture<Integer>> firsts = new ArrayList<>();
		List<LoopFuture<Integer>> waiting = new ArrayList<>();
		AtomicInteger started = new AtomicInteger();
		for (int i = 0; i < keys; i++) {
			CompletableFuture<Integer> pending = new CompletableFuture<>();
			stuck.add(pending);
			firsts.add(this.async.dispatchSequentially(group, "key-" + i, () -> {
				started.incrementAndGet();
				return pending;
			}));
			int expected = i + 1;
			// one at a time, so that dispatching the first calls never fills the queue
			await().atMost(WAIT).until(() -> started.get() == expected);
			int value = i;
			waiting.add(
					this.async.dispatchSequentially(group, "key-" + i, () -> CompletableFuture.completedFuture(value)));
		}
		CountDownLatch entered = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		loop.execute(() -> {
			entered.countDown();
			awaitQuietly(release);
		});
		assertThat(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
		for (int i = 0; i < keys; i++) {
			stuck.get(i).complete(-1);
		}
		release.countDown();
		List<String> refused = new ArrayList<>();
		for (int i = 0; i < keys; i++) {
			assertThat(firsts.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(-1);
			try {
				assertThat(waiting.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(i);
			}
			catch (ExecutionException ex) {
				refused.add("key-" + i + ": " + ex.getCause());
			}
		}
		assertThat(refused).as("waiting calls failed when their turn came").isEmpty();
	}

	/**
	 * "cancelling one that has started cancels the future it returned, if that can be
	 * cancelled; the next call starts once it completes". The attack: the started call
	 * returned a {@link CompletionStage} that cannot be cancelled (a minimal stage); the
	 * caller cancels the call, which reports itself cancelled at once. The key must not
	 * run the next call beside the one still in flight, and must move on once it ends.
	 */
	@Test
	void cancellingAStartedCallThatReturnedAMinimalStageLetsTheKeyMoveOnOnceThatStageEnds() throws Exception {
		EventLoopGroup group = group(EventLoopGroup.builder("attack-minimal").threads(1));
		CompletableFuture<String> work = new CompletableFuture<>();
		AtomicInteger firstStarted = new AtomicInteger();
		LoopFuture<String> first = this.async.dispatchSequentially(group, "k", () -> {
			firstStarted.incrementAndGet();
			return work.minimalCompletionStage();
		});
		LoopFuture<String> next = this.async.dispatchSequentially(group, "k",
				() -> CompletableFuture.completedFuture("next"));
		await().atMost(WAIT).until(() -> firstStarted.get() == 1 && work.getNumberOfDependents() > 0);
		assertThat(first.cancel(false)).isTrue();
		assertThatThrownBy(first::join).isInstanceOf(CancellationException.class);
		// the next call waits for the work it could not cancel (checked on the key's
		// loop,
		// behind the cancellation)
		assertThat(group.forKey("k").submit(next::isDone).get(WAIT.toSeconds(), TimeUnit.SECONDS)).isFalse();
		work.complete("ended anyway");
		assertThat(next.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the call behind the cancelled one")
			.isEqualTo("next");
	}

	/**
	 * Re-entrance: a task of a key dispatches the next call of the same key from inside
	 * itself, on the key's loop, then returns a future that does not depend on it. No
	 * deadlock; the inner call starts only once the outer call's future has completed.
	 */
	@Test
	void aCallOfTheSameKeyDispatchedFromInsideATaskStartsAfterTheOuterFutureAndDoesNotDeadlock() throws Exception {
		EventLoopGroup group = group(EventLoopGroup.builder("attack-reentrant").threads(2));
		List<String> events = new CopyOnWriteArrayList<>();
		CompletableFuture<String> outerWork = new CompletableFuture<>();
		CompletableFuture<LoopFuture<String>> innerResult = new CompletableFuture<>();
		LoopFuture<String> outer = this.async.dispatchSequentially(group, "k", () -> {
			events.add("outer started");
			innerResult.complete(this.async.dispatchSequentially(group, "k", () -> {
				events.add("inner started");
				return CompletableFuture.completedFuture("inner");
			}));
			return outerWork;
		});
		LoopFuture<String> inner = innerResult.get(WAIT.toSeconds(), TimeUnit.SECONDS);
		// the outer call's future is pending: the inner call must not have started
		assertThat(this.async.dispatch(group, "k", () -> List.copyOf(events)).get(WAIT.toSeconds(), TimeUnit.SECONDS))
			.containsExactly("outer started");
		assertThat(inner).isNotDone();
		outerWork.complete("outer");
		assertThat(outer.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("outer");
		assertThat(inner.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("inner");
		assertThat(events).containsExactly("outer started", "inner started");
	}

	/**
	 * "A key's lane exists only while one of its items is started or waiting" (KeyLanes).
	 * The attack: 10,000 keys, three calls each ending every way (completed later by a
	 * loop timer, cancelled while waiting, thrown, returned null, failed, cancelled while
	 * running), from four threads at once. Afterwards no lane and no waiting count may
	 * remain.
	 */
	@Test
	void tenThousandKeysWhoseCallsEndEveryWayLeaveNoLaneAndNoWaitingCountBehind() throws Exception {
		int keys = 10_000;
		EventLoopGroup group = group(EventLoopGroup.builder("attack-keys").threads(2));
		ExecutorService callers = Executors.newFixedThreadPool(4);
		List<LoopFuture<?>> results = Collections.synchronizedList(new ArrayList<>());
		List<LoopFuture<?>> thirds = Collections.synchronizedList(new ArrayList<>());
		try {
			List<Future<?>> submitted = new ArrayList<>();
			for (int t = 0; t < 4; t++) {
				int thread = t;
				submitted.add(callers.submit(() -> {
					for (int k = thread; k < keys; k += 4) {
						Object key = "key-" + k;
						int mode = k % 3;
						LoopFuture<Object> first = this.async.dispatchSequentially(group, key, () -> {
							CompletableFuture<Object> done = new CompletableFuture<>();
							EventLoop.currentOrNull().schedule(() -> done.complete("first"), Duration.ofNanos(1_000));
							return done;
						});
						LoopFuture<Object> second = this.async.dispatchSequentially(group, key, () -> {
							if (mode == 0) {
								throw new IllegalStateException("thrown");
							}
							return (mode == 1) ? null : CompletableFuture.failedFuture(new IllegalStateException());
						});
						LoopFuture<Object> third = this.async.dispatchSequentially(group, key, CompletableFuture::new);
						if (mode == 0) {
							// cancelled while it waits (or, if its turn came, while it
							// runs)
							second.cancel(false);
						}
						results.add(first);
						results.add(second);
						thirds.add(third);
					}
				}));
			}
			for (Future<?> future : submitted) {
				future.get(30, TimeUnit.SECONDS);
			}
		}
		finally {
			callers.shutdownNow();
		}
		// the third calls never complete by themselves: cancel them, running or
		// waiting
		for (LoopFuture<?> third : thirds) {
			third.cancel(false);
		}
		results.addAll(thirds);
		await().atMost(WAIT).until(() -> results.stream().allMatch(LoopFuture::isDone));
		KeyLanes<?> lanes = lanesOf(this.async, group);
		await().atMost(WAIT).untilAsserted(() -> {
			assertThat(lanes.busyKeys()).as("lanes left").isZero();
			assertThat(lanes.waiting()).as("waiting count").isZero();
			assertThat(lanes.mostWaiting(10)).isEmpty();
		});
	}

	/**
	 * Order under concurrent callers: each key's order is the order of its dispatch
	 * calls, and no two calls of a key overlap, while eight threads dispatch calls of the
	 * same ten keys at once and the futures complete on loop timers.
	 */
	@Test
	void eightThreadsDispatchingTheSameKeysNeverOverlapAndKeepEachCallersOrder() throws Exception {
		EventLoopGroup group = group(EventLoopGroup.builder("attack-order").threads(2));
		int threads = 8;
		int perThread = 500;
		Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
		Map<String, List<Integer>> seenByCallerAndKey = new ConcurrentHashMap<>();
		AtomicInteger overlaps = new AtomicInteger();
		ExecutorService callers = Executors.newFixedThreadPool(threads);
		List<LoopFuture<Integer>> results = Collections.synchronizedList(new ArrayList<>());
		try {
			List<Future<?>> submitted = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				int caller = t;
				submitted.add(callers.submit(() -> {
					for (int i = 0; i < perThread; i++) {
						String key = "key-" + (i % 10);
						int seq = i;
						results.add(this.async.dispatchSequentially(group, key, () -> {
							if (inFlight.computeIfAbsent(key, (k) -> new AtomicInteger()).incrementAndGet() != 1) {
								overlaps.incrementAndGet();
							}
							seenByCallerAndKey.computeIfAbsent(caller + "/" + key, (k) -> new CopyOnWriteArrayList<>())
								.add(seq);
							CompletableFuture<Integer> done = new CompletableFuture<>();
							EventLoop.currentOrNull().schedule(() -> {
								inFlight.get(key).decrementAndGet();
								done.complete(seq);
							}, Duration.ofNanos(1 + (seq * 7919L) % 50_000));
							return done;
						}));
					}
				}));
			}
			for (Future<?> future : submitted) {
				future.get(30, TimeUnit.SECONDS);
			}
		}
		finally {
			callers.shutdownNow();
		}
		for (LoopFuture<Integer> result : results) {
			result.get(30, TimeUnit.SECONDS);
		}
		assertThat(overlaps).hasValue(0);
		assertThat(seenByCallerAndKey).hasSize(threads * 10);
		seenByCallerAndKey.forEach((callerAndKey, seqs) -> assertThat(seqs).as(callerAndKey).isSorted());
	}

	/**
	 * LoopTimers.cancelled: "cancellations from other threads are purged in bulk once
	 * they add up to a quarter of the heap and to at least 64 (so fewer than that may
	 * stay ...)". The attack: four threads cancel 8,000 of 10,000 long timers at once,
	 * racing the purges they trigger. Once the loop is quiet, fewer than max(64, a
	 * quarter of the heap) cancelled timers may remain.
	 */
	@Test
	void timersCancelledFromFourThreadsWhilePurgesRunLeaveFewerThanTheBoundInTheHeap() throws Exception {
		EventLoopGroup group = group(EventLoopGroup.builder("attack-purge").threads(1));
		EventLoop loop = group.loops().get(0);
		int timers = 10_000;
		int live = 2_000;
		List<LoopFuture<Void>> scheduled = new ArrayList<>();
		for (int i = 0; i < timers; i++) {
			scheduled.add(loop.schedule(() -> {
			}, Duration.ofHours(10)));
		}
		await().atMost(WAIT).until(() -> heapSize(loop) == timers);
		ExecutorService cancellers = Executors.newFixedThreadPool(4);
		try {
			List<Future<?>> submitted = new ArrayList<>();
			for (int t = 0; t < 4; t++) {
				int thread = t;
				submitted.add(cancellers.submit(() -> {
					for (int i = live + thread; i < timers; i += 4) {
						scheduled.get(i).cancel(false);
					}
				}));
			}
			for (Future<?> future : submitted) {
				future.get(30, TimeUnit.SECONDS);
			}
		}
		finally {
			cancellers.shutdownNow();
		}
		await().atMost(WAIT).untilAsserted(() -> {
			int size = heapSize(loop);
			int cancelledInHeap = size - live;
			assertThat(cancelledInHeap).as("cancelled timers left in a heap of %d", size)
				.isLessThan(Math.max(64, size / 4));
		});
	}

	/**
	 * The same bound, attacked by time instead of threads: 150 cancelled ten-hour timers
	 * are below a quarter of an 800-timer heap, so no purge is due; then the 600 short
	 * timers run out and leave the heap. Now the 150 cancelled timers are three quarters
	 * of the heap, and well over 64, yet nothing checks again: they stay for ten hours.
	 */
	@Test
	void cancelledTimersStayAboveTheBoundOnceTheRestOfTheHeapHasRunOut() throws Exception {
		HandMovedTicker ticker = new HandMovedTicker();
		EventLoopGroup group = group(EventLoopGroup.builder("attack-shrink").threads(1).ticker(ticker));
		EventLoop loop = group.loops().get(0);
		AtomicInteger shortRuns = new AtomicInteger();
		for (int i = 0; i < 600; i++) {
			loop.schedule(shortRuns::incrementAndGet, Duration.ofMinutes(1));
		}
		List<LoopFuture<Void>> longTimers = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			longTimers.add(loop.schedule(() -> {
			}, Duration.ofHours(10)));
		}
		await().atMost(WAIT).until(() -> heapSize(loop) == 800);
		for (int i = 0; i < 150; i++) {
			longTimers.get(i).cancel(false);
		}
		ticker.advance(Duration.ofMinutes(1));
		assertThat(shortRuns).hasValue(600);
		int live = 50;
		await().atMost(WAIT).untilAsserted(() -> {
			int size = heapSize(loop);
			int cancelledInHeap = size - live;
			assertThat(cancelledInHeap).as("cancelled timers left in a heap of %d", size)
				.isLessThan(Math.max(64, size / 4));
		});
	}

	// ---- helpers

	private EventLoopGroup group(EventLoopGroup.Builder builder) {
		EventLoopGroup group = builder.build();
		this.groups.add(group);
		return group;
	}

	private static int heapSize(EventLoop loop) throws Exception {
		return loop.submit(() -> loop.timers().size()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * The key lanes an AsyncContext keeps for a group (private state, read for this test
	 * only).
	 */
	private static KeyLanes<?> lanesOf(AsyncContext context, EventLoopGroup group) throws Exception {
		Field sequentialField = AsyncContext.class.getDeclaredField("sequential");
		sequentialField.setAccessible(true);
		Object sequential = sequentialField.get(context);
		Field lanesField = sequential.getClass().getDeclaredField("lanes");
		lanesField.setAccessible(true);
		Map<?, ?> lanes = (Map<?, ?>) lanesField.get(sequential);
		return (KeyLanes<?>) lanes.get(group);
	}

	/**
	 * Time that moves only when the test says, running the timers that fall due.
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
				loop.runDueTimers().get(WAIT.toSeconds(), TimeUnit.SECONDS);
			}
		}

	}

}
