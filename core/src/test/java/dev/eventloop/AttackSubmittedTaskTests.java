package dev.eventloop;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Adversarial tests for a submitted task that is at once the queued task, the future its
 * caller holds and the completion hop back to the caller's loop; for the short spin of
 * {@link IdleStrategy#PARK} loops; and for the note on groups with more loops than
 * processors.
 */
class AttackSubmittedTaskTests {

	private static final long T = 10;

	private static final Duration WAIT = Duration.ofSeconds(T);

	private final List<EventLoop> loops = Collections.synchronizedList(new ArrayList<>());

	@AfterEach
	void shutdown() {
		List<EventLoop> all;
		synchronized (this.loops) {
			all = new ArrayList<>(this.loops);
		}
		all.forEach((loop) -> loop.shutdownGracefully(Duration.ofSeconds(2))
			.orTimeout(T, TimeUnit.SECONDS)
			.exceptionally((ex) -> null)
			.join());
	}

	private EventLoop loop(String name) {
		return loop(name, BlockingPolicy.FAIL, 0, IdleStrategy.PARK);
	}

	private EventLoop loop(String name, BlockingPolicy policy, int capacity, IdleStrategy idle) {
		EventLoop.Builder builder = EventLoop.builder(name).blockingPolicy(policy).idleStrategy(idle);
		if (capacity > 0) {
			builder.queueCapacity(capacity);
		}
		EventLoop loop = builder.build();
		this.loops.add(loop);
		return loop;
	}

	/**
	 * Occupy the loop with a task that waits for the returned latch.
	 */
	private static CountDownLatch hold(EventLoop loop) throws InterruptedException {
		CountDownLatch held = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		loop.execute(() -> {
			held.countDown();
			awaitQuietly(release);
		});
		assertThat(held.await(T, TimeUnit.SECONDS)).isTrue();
		return release;
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await(T, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static Thread threadOf(EventLoop loop) throws Exception {
		return loop.submit(Thread::currentThread).get(T, TimeUnit.SECONDS);
	}

	// ---- the CompletableFuture contract of the returned future

	@Test
	@Timeout(30)
	void aFutureCompletedByItsCallerBeforeTheTaskRunsKeepsTheCallersValueAndSkipsTheTask() throws Exception {
		EventLoop b = loop("st-complete-b");
		CountDownLatch release = hold(b);
		AtomicInteger ran = new AtomicInteger();
		LoopFuture<String> future = b.submit(() -> {
			ran.incrementAndGet();
			return "task";
		});
		assertThat(future.complete("caller")).isTrue();
		LoopFuture<String> failed = b.submit(() -> {
			ran.incrementAndGet();
			return "task";
		});
		IllegalStateException mine = new IllegalStateException("caller's failure");
		assertThat(failed.completeExceptionally(mine)).isTrue();
		release.countDown();
		assertThat(b.submit(() -> "after").get(T, TimeUnit.SECONDS)).isEqualTo("after");
		assertThat(ran).as("tasks whose future was done before they ran").hasValue(0);
		assertThat(future.get()).isEqualTo("caller");
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(failed::get).withCause(mine);
		// the skipped tasks are still user tasks of B: submitted and completed
		assertThat(b.counters().submitted()).isEqualTo(4);
		await().atMost(WAIT).untilAsserted(() -> assertThat(b.counters().completed()).isEqualTo(4));
	}

	@Test
	@Timeout(30)
	void obtrudeAndCompleteExceptionallyWhileTheHopIsInFlightAreNotOverwrittenByTheHop() throws Exception {
		EventLoop a = loop("st-obtrude-a");
		EventLoop b = loop("st-obtrude-b");
		Thread aThread = threadOf(a);
		IllegalStateException callers = new IllegalStateException("the caller's");
		AtomicInteger continuations = new AtomicInteger();
		AtomicReference<Thread> continuedOn = new AtomicReference<>();
		List<LoopFuture<Integer>> futures = a.submit(() -> {
			LoopFuture<Integer> obtruded = b.submit(() -> 1);
			LoopFuture<Integer> failed = b.submit(() -> 2);
			failed.whenComplete((value, ex) -> {
				continuations.incrementAndGet();
				continuedOn.set(Thread.currentThread());
			});
			// both hops are queued on A, behind this task
			await().atMost(WAIT).until(() -> a.counters().queueSize() == 2);
			obtruded.obtrudeValue(7);
			failed.completeExceptionally(callers);
			return List.of(obtruded, failed);
		}).get(T, TimeUnit.SECONDS);
		// whatever A queued before this task (the two hops) has run when it runs
		a.submit(() -> null).get(T, TimeUnit.SECONDS);
		assertThat(futures.get(0).get()).isEqualTo(7);
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(futures.get(1)::get).withCause(callers);
		assertThat(continuations).hasValue(1);
		assertThat(continuedOn.get()).isSameAs(aThread);
		// and obtruding after the round trip still works on the returned future
		futures.get(0).obtrudeException(callers);
		assertThat(futures.get(0)).isCompletedExceptionally();
		futures.get(1).obtrudeValue(3);
		assertThat(futures.get(1).get()).isEqualTo(3);
		assertThat(a.counters().completed()).as("A's user tasks only, never the hops").isEqualTo(3);
	}

	@Test
	@Timeout(30)
	void theReturnedFutureBehavesAsAnyCompletableFuture() throws Exception {
		EventLoop b = loop("st-surface-b");
		CountDownLatch release = hold(b);
		AtomicInteger ran = new AtomicInteger();
		LoopFuture<Integer> future = b.submit(() -> {
			ran.incrementAndGet();
			return 5;
		});
		assertThat(future.toCompletableFuture()).isSameAs(future);
		CompletableFuture<Integer> minimal = future.minimalCompletionStage().toCompletableFuture();
		CompletableFuture<Integer> doubled = future.thenApply((value) -> value * 2);
		assertThat(doubled).isInstanceOf(LoopFuture.class);
		assertThat(future.getNumberOfDependents()).isEqualTo(2);
		LoopFuture<Integer> timedOut = b.submit(() -> {
			ran.incrementAndGet();
			return 6;
		});
		timedOut.orTimeout(1, TimeUnit.MILLISECONDS);
		assertThat(timedOut).failsWithin(WAIT)
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(TimeoutException.class);
		release.countDown();
		assertThat(future.get(T, TimeUnit.SECONDS)).isEqualTo(5);
		assertThat(doubled.get(T, TimeUnit.SECONDS)).isEqualTo(10);
		assertThat(minimal.get(T, TimeUnit.SECONDS)).isEqualTo(5);
		assertThat(future.getNumberOfDependents()).isZero();
		assertThat(b.submit(() -> "after").get(T, TimeUnit.SECONDS)).isEqualTo("after");
		assertThat(ran).as("the timed-out task was skipped").hasValue(1);
		assertThat(timedOut.isDone()).isTrue();
	}

	/**
	 * The future a caller holds is now also the task: code that runs a {@link Runnable}
	 * it is handed (a future passed where work is expected) must not run the caller's
	 * task on its own thread.
	 */
	@Test
	@Timeout(30)
	void runningTheReturnedFutureAsARunnableDoesNotRunTheTaskOffItsLoop() throws Exception {
		EventLoop b = loop("st-runnable-thread-b");
		Thread bThread = threadOf(b);
		CountDownLatch release = hold(b);
		LoopFuture<Thread> future = b.submit(Thread::currentThread);
		runIfRunnable(future);
		release.countDown();
		assertThat(future.get(T, TimeUnit.SECONDS)).as("thread that ran the task").isSameAs(bThread);
	}

	/**
	 * Nor may it leave a bounded queue one place short for good.
	 */
	@Test
	@Timeout(30)
	void runningTheReturnedFutureAsARunnableDoesNotShrinkTheBoundedQueue() throws Exception {
		EventLoop b = loop("st-runnable-bound-b", BlockingPolicy.FAIL, 2, IdleStrategy.PARK);
		CountDownLatch release = hold(b);
		LoopFuture<Integer> future = b.submit(() -> 1);
		runIfRunnable(future);
		release.countDown();
		assertThat(future.get(T, TimeUnit.SECONDS)).isEqualTo(1);
		b.submit(() -> null).get(T, TimeUnit.SECONDS);
		assertBoundHolds(b, 2);
	}

	private static void runIfRunnable(Object future) {
		if (future instanceof Runnable runnable) {
			try {
				runnable.run();
			}
			catch (RuntimeException ex) {
				// refusing is fine
			}
		}
	}

	/**
	 * While the loop is held, it accepts exactly {@code capacity} more user tasks.
	 */
	private static void assertBoundHolds(EventLoop loop, int capacity) throws Exception {
		CountDownLatch release = hold(loop);
		List<LoopFuture<Integer>> accepted = new ArrayList<>();
		for (int i = 0; i < capacity; i++) {
			accepted.add(loop.submit(() -> 1));
		}
		LoopFuture<Integer> refused = loop.submit(() -> 1);
		release.countDown();
		for (LoopFuture<Integer> future : accepted) {
			assertThat(future.get(T, TimeUnit.SECONDS)).as("a task within the bound of '%s'", loop.name()).isEqualTo(1);
		}
		assertThat(refused).as("the task past the bound of '%s'", loop.name())
			.failsWithin(WAIT)
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(RejectedExecutionException.class);
	}

	@Test
	@Timeout(60)
	void cancelRacingTheTaskAndItsHopCompletesEachFutureOnceAndOnTheCallersLoop() throws Exception {
		EventLoop a = loop("st-cancel-race-a");
		int count = 3000;
		EventLoop b = loop("st-cancel-race-b", BlockingPolicy.FAIL, count + 10, IdleStrategy.PARK);
		Thread aThread = threadOf(a);
		Queue<LoopFuture<Integer>> toCancel = new ConcurrentLinkedQueue<>();
		CountDownLatch done = new CountDownLatch(count);
		AtomicInteger twice = new AtomicInteger();
		AtomicInteger wrong = new AtomicInteger();
		AtomicInteger cancelled = new AtomicInteger();
		Queue<String> wrongs = new ConcurrentLinkedQueue<>();
		Thread canceller = new Thread(() -> {
			int seen = 0;
			while (seen < count / 2 && !Thread.currentThread().isInterrupted()) {
				LoopFuture<Integer> future = toCancel.poll();
				if (future == null) {
					Thread.onSpinWait();
					continue;
				}
				seen++;
				if (future.cancel(false)) {
					cancelled.incrementAndGet();
				}
			}
		}, "st-canceller");
		canceller.start();
		for (int i = 0; i < count; i++) {
			int n = i;
			a.execute(() -> {
				LoopFuture<Integer> future = b.submit(() -> n);
				AtomicInteger calls = new AtomicInteger();
				future.whenComplete((value, ex) -> {
					if (calls.incrementAndGet() != 1) {
						twice.incrementAndGet();
					}
					// a cancel that lost the race still runs the pending dependents on
					// its
					// own thread (CompletableFuture.cancel calls postComplete): that
					// thread is the canceller's, never B's
					Thread on = Thread.currentThread();
					boolean onCaller = on == aThread || (n % 2 == 0 && on.getName().equals("st-canceller"));
					if (!future.isCancelled() && (!onCaller || ex != null || value != n)) {
						wrong.incrementAndGet();
						wrongs.add(n + " on " + Thread.currentThread().getName() + ": " + value + " / " + ex);
					}
					done.countDown();
				});
				if (n % 2 == 0) {
					toCancel.add(future);
				}
			});
		}
		assertThat(done.await(T * 3, TimeUnit.SECONDS)).isTrue();
		canceller.interrupt();
		canceller.join(TimeUnit.SECONDS.toMillis(T));
		assertThat(twice).hasValue(0);
		assertThat(wrongs).as("futures not cancelled completed off A or with a wrong outcome").isEmpty();
		assertThat(wrong).hasValue(0);
		assertThat(b.counters().submitted()).isEqualTo(count);
		await().atMost(WAIT).untilAsserted(() -> assertThat(b.counters().completed()).isEqualTo(count));
		await().atMost(WAIT).untilAsserted(() -> assertThat(a.counters().completed()).isEqualTo(count + 1));
		assertThat(a.counters().submitted()).isEqualTo(count + 1);
		assertBoundHolds(b, count + 10);
	}

	// ---- memory: the future is the task, so it must let go of what the task held

	@Test
	@Timeout(30)
	void aFutureRefusedAtSubmissionDoesNotKeepItsTaskAlive() throws Exception {
		EventLoop b = loop("st-refused-memory-b");
		b.shutdownGracefully(Duration.ZERO).get(T, TimeUnit.SECONDS);
		AtomicReference<WeakReference<Object>> captured = new AtomicReference<>();
		LoopFuture<Integer> future = refusedSubmission(b, captured);
		assertThat(future).isCompletedExceptionally();
		await().atMost(WAIT).until(() -> {
			System.gc();
			return captured.get().get() == null;
		});
		assertThat(future).isCompletedExceptionally(); // still reachable here
	}

	private static LoopFuture<Integer> refusedSubmission(EventLoop loop,
			AtomicReference<WeakReference<Object>> captured) {
		byte[] big = new byte[1 << 20];
		captured.set(new WeakReference<>(big));
		return loop.submit(() -> big.length);
	}

	@Test
	@Timeout(30)
	void aFutureCancelledWhileItsTaskRanDoesNotKeepTheTasksResultAlive() throws Exception {
		EventLoop b = loop("st-cancel-memory-b");
		AtomicReference<WeakReference<Object>> produced = new AtomicReference<>();
		CountDownLatch running = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		Callable<Object> task = () -> {
			running.countDown();
			awaitQuietly(release);
			Object big = new byte[1 << 20];
			produced.set(new WeakReference<>(big));
			return big;
		};
		LoopFuture<Object> offLoop = b.submit(task);
		assertThat(running.await(T, TimeUnit.SECONDS)).isTrue();
		assertThat(offLoop.cancel(false)).isTrue();
		release.countDown();
		b.submit(() -> null).get(T, TimeUnit.SECONDS);
		await().atMost(WAIT).until(() -> {
			System.gc();
			return produced.get().get() == null;
		});
		assertThat(offLoop).isCancelled(); // still reachable here
	}

	@Test
	@Timeout(30)
	void aFutureCancelledWhileItsHopIsInFlightDoesNotKeepTheTasksResultAlive() throws Exception {
		EventLoop a = loop("st-hop-memory-a");
		EventLoop b = loop("st-hop-memory-b");
		AtomicReference<WeakReference<Object>> producedForA = new AtomicReference<>();
		LoopFuture<LoopFuture<Object>> fromA = a.submit(() -> {
			LoopFuture<Object> future = b.submit(() -> {
				Object big = new byte[1 << 20];
				producedForA.set(new WeakReference<>(big));
				return big;
			});
			// the hop is queued on A behind this task: cancel it in flight
			await().atMost(WAIT).until(() -> a.counters().queueSize() == 1);
			future.cancel(false);
			return future;
		});
		LoopFuture<Object> cancelledInFlight = fromA.get(T, TimeUnit.SECONDS);
		a.submit(() -> null).get(T, TimeUnit.SECONDS);
		await().atMost(WAIT).until(() -> {
			System.gc();
			return producedForA.get().get() == null;
		});
		assertThat(cancelledInFlight).isCancelled(); // still reachable here
	}

	// ---- blocking policies: a loop that may block, waiting on another loop's task

	@ParameterizedTest(name = "caller {0}, target {1}")
	@CsvSource({ "WARN,FAIL", "ALLOW,FAIL", "WARN,WARN", "ALLOW,ALLOW", "ALLOW,WARN", "WARN,ALLOW" })
	@Timeout(60)
	void aLoopThatMayBlockGetsItsResultsAndContinuationsOnItsOwnThread(BlockingPolicy callerPolicy,
			BlockingPolicy targetPolicy) throws Exception {
		EventLoop a = loop("st-block-a-" + callerPolicy, callerPolicy, 1, IdleStrategy.PARK);
		EventLoop b = loop("st-block-b-" + targetPolicy, targetPolicy, 0, IdleStrategy.PARK);
		Thread aThread = threadOf(a);
		int count = 200;
		AtomicInteger offA = new AtomicInteger();
		List<CompletableFuture<Integer>> continued = Collections.synchronizedList(new ArrayList<>());
		List<Integer> results = a.submit(() -> {
			List<LoopFuture<Integer>> futures = new ArrayList<>();
			for (int i = 0; i < count; i++) {
				int n = i;
				LoopFuture<Integer> future = b.submit(() -> n);
				futures.add(future);
				continued.add(future.thenApply((value) -> {
					if (Thread.currentThread() != aThread) {
						offA.incrementAndGet();
					}
					return value;
				}));
			}
			a.execute(() -> {
			}); // A's bounded queue is full
			List<Integer> values = new ArrayList<>();
			values.add(futures.get(count - 1).get()); // blocks: the hops are run by
														// the waiter
			values.add(futures.get(0).get(T, TimeUnit.SECONDS));
			values.add(futures.get(count / 2).join());
			return values;
		}).get(T * 3, TimeUnit.SECONDS);
		assertThat(results).containsExactly(count - 1, 0, count / 2);
		assertThat(continued).hasSize(count);
		for (int i = 0; i < count; i++) {
			assertThat(continued.get(i).get(T, TimeUnit.SECONDS)).isEqualTo(i);
		}
		assertThat(offA).hasValue(0);
		assertThat(a.counters().rejected()).isZero();
		await().atMost(WAIT).untilAsserted(() -> assertThat(a.counters().completed()).isEqualTo(3));
		assertThat(b.counters().submitted()).isEqualTo(count);
		await().atMost(WAIT).untilAsserted(() -> assertThat(b.counters().completed()).isEqualTo(count));
		await().atMost(WAIT).untilAsserted(() -> assertThat(a.thread().pendingHops).isEmpty());
		assertBoundHolds(a, 1);
	}

	@ParameterizedTest
	@EnumSource(value = BlockingPolicy.class, names = { "WARN", "ALLOW" })
	@Timeout(30)
	void aLoopBlockedOnATaskTheTargetAbandonsIsWokenWithTheFailure(BlockingPolicy policy) throws Exception {
		EventLoop a = loop("st-block-abandon-a-" + policy, policy, 0, IdleStrategy.PARK);
		EventLoop b = EventLoop.builder("st-block-abandon-b-" + policy).build();
		CountDownLatch release = hold(b);
		LoopFuture<Object> blocked = a.submit(() -> {
			try {
				return b.submit(() -> "ran").get();
			}
			catch (ExecutionException ex) {
				return ex.getCause();
			}
		});
		await().atMost(WAIT).until(() -> a.thread().waiting);
		b.shutdownGracefully(Duration.ZERO);
		release.countDown();
		assertThat(b.terminationFuture()).succeedsWithin(WAIT);
		assertThat(blocked.get(T, TimeUnit.SECONDS)).isInstanceOf(RejectedExecutionException.class);
		assertThat(b.counters().abandoned()).isEqualTo(1);
		await().atMost(WAIT).untilAsserted(() -> assertThat(a.counters().completed()).isEqualTo(1));
	}

	@Test
	@Timeout(30)
	void aTimedWaitThatTimesOutLeavesTheHopToTheQueueAndNothingTracked() throws Exception {
		EventLoop a = loop("st-timed-a", BlockingPolicy.ALLOW, 0, IdleStrategy.PARK);
		EventLoop b = loop("st-timed-b");
		Thread aThread = threadOf(a);
		CountDownLatch release = new CountDownLatch(1);
		AtomicReference<Thread> continuedOn = new AtomicReference<>();
		LoopFuture<Object> timedOut = a.submit(() -> {
			LoopFuture<Integer> future = b.submit(() -> {
				awaitQuietly(release);
				return 9;
			});
			future.whenComplete((value, ex) -> continuedOn.set(Thread.currentThread()));
			try {
				return future.get(1, TimeUnit.MILLISECONDS);
			}
			catch (TimeoutException ex) {
				return future;
			}
		});
		Object outcome = timedOut.get(T, TimeUnit.SECONDS);
		assertThat(outcome).isInstanceOf(LoopFuture.class);
		release.countDown();
		// not get(): a thread waiting in get() runs pending dependents itself when it
		// wakes (CompletableFuture.waitingGet calls postComplete)
		await().atMost(WAIT).until(() -> continuedOn.get() != null);
		assertThat(continuedOn.get()).isSameAs(aThread);
		assertThat(((LoopFuture<?>) outcome).get(T, TimeUnit.SECONDS)).isEqualTo(9);
		await().atMost(WAIT).untilAsserted(() -> assertThat(a.thread().pendingHops).isEmpty());
	}

	@Test
	@Timeout(30)
	void failuresAreCountedOnceOnTheTargetAndNeverOnTheCallersLoop() throws Exception {
		EventLoop a = loop("st-fail-count-a");
		EventLoop b = loop("st-fail-count-b");
		int count = 100;
		CountDownLatch done = new CountDownLatch(count);
		AtomicInteger failures = new AtomicInteger();
		a.execute(() -> {
			for (int i = 0; i < count; i++) {
				int n = i;
				b.submit(() -> {
					if (n % 2 == 0) {
						throw new IllegalStateException("planned");
					}
					return n;
				}).whenComplete((value, ex) -> {
					if (ex instanceof IllegalStateException && a.inLoop()) {
						failures.incrementAndGet();
					}
					done.countDown();
				});
			}
		});
		assertThat(done.await(T, TimeUnit.SECONDS)).isTrue();
		assertThat(failures).hasValue(count / 2);
		await().atMost(WAIT).untilAsserted(() -> {
			assertThat(b.counters().failed()).isEqualTo(count / 2);
			assertThat(b.counters().completed()).isEqualTo(count / 2);
		});
		assertThat(b.counters().submitted()).isEqualTo(count);
		assertThat(a.counters().failed()).isZero();
		assertThat(a.counters().completed()).isEqualTo(1);
		assertThat(a.counters().submitted()).isEqualTo(1);
	}

	// ---- shutdown races

	@Test
	@Timeout(120)
	void aTargetTerminatingWhileTasksRunAndHopsAreQueuedLosesNoFutureAndCountsExactly() throws Exception {
		for (int round = 0; round < 10; round++) {
			// odd rounds: a caller that may block, whose hops are tracked
			BlockingPolicy policy = (round % 2 == 0) ? BlockingPolicy.FAIL : BlockingPolicy.ALLOW;
			EventLoop a = loop("st-target-dies-a-" + round, policy, 0, IdleStrategy.PARK);
			EventLoop b = EventLoop.builder("st-target-dies-b-" + round).build();
			Thread aThread = threadOf(a);
			int count = 500;
			CountDownLatch done = new CountDownLatch(count);
			AtomicInteger values = new AtomicInteger();
			AtomicInteger refusals = new AtomicInteger();
			AtomicInteger wrong = new AtomicInteger();
			CountDownLatch started = new CountDownLatch(1);
			a.execute(() -> {
				started.countDown();
				for (int i = 0; i < count; i++) {
					b.submit(() -> 1).whenComplete((value, ex) -> {
						if (Thread.currentThread() != aThread) {
							wrong.incrementAndGet();
						}
						if (ex instanceof RejectedExecutionException) {
							refusals.incrementAndGet();
						}
						else if (ex == null && value == 1) {
							values.incrementAndGet();
						}
						else {
							wrong.incrementAndGet();
						}
						done.countDown();
					});
				}
			});
			assertThat(started.await(T, TimeUnit.SECONDS)).isTrue();
			b.shutdownGracefully(Duration.ZERO);
			assertThat(b.terminationFuture()).succeedsWithin(WAIT);
			assertThat(done.await(T, TimeUnit.SECONDS)).as("round %d: every future completed", round).isTrue();
			assertThat(wrong).as("round %d: wrong outcome or thread", round).hasValue(0);
			assertThat(values.get() + refusals.get()).isEqualTo(count);
			LoopCounters counters = b.counters();
			assertThat(counters.submitted() + counters.rejected()).as("round %d: B's submitted and rejected", round)
				.isEqualTo(count);
			assertThat(counters.completed() + counters.abandoned()).as("round %d: B's completed and abandoned", round)
				.isEqualTo(counters.submitted());
			assertThat(counters.completed()).isEqualTo(values.get());
			await().atMost(WAIT).untilAsserted(() -> assertThat(a.counters().completed()).isEqualTo(2));
			assertThat(a.counters().submitted()).isEqualTo(2);
			if (a.thread().pendingHops != null) {
				await().atMost(WAIT).untilAsserted(() -> assertThat(a.thread().pendingHops).isEmpty());
			}
		}
	}

	@Test
	@Timeout(120)
	void aCallerTerminatingWithItsHopsInFlightStillGetsEveryValue() throws Exception {
		for (int round = 0; round < 10; round++) {
			EventLoop a = EventLoop.builder("st-caller-dies-a-" + round).build();
			EventLoop b = loop("st-caller-dies-b-" + round);
			int count = 500;
			CountDownLatch done = new CountDownLatch(count);
			AtomicInteger values = new AtomicInteger();
			boolean holdB = round % 2 == 0;
			CountDownLatch release = holdB ? hold(b) : new CountDownLatch(0);
			a.execute(() -> {
				for (int i = 0; i < count; i++) {
					b.submit(() -> 1).whenComplete((value, ex) -> {
						if (ex == null && value == 1) {
							values.incrementAndGet();
						}
						done.countDown();
					});
				}
				a.shutdownGracefully(Duration.ZERO);
			});
			assertThat(a.terminationFuture()).succeedsWithin(WAIT);
			release.countDown();
			assertThat(done.await(T, TimeUnit.SECONDS)).as("round %d: every future completed", round).isTrue();
			assertThat(values).as("round %d: values delivered", round).hasValue(count);
			assertThat(a.counters().abandoned()).isZero();
			assertThat(a.counters().completed()).isEqualTo(1);
			assertThat(a.counters().submitted()).isEqualTo(1);
			long expected = count + (holdB ? 1 : 0);
			await().atMost(WAIT).untilAsserted(() -> assertThat(b.counters().completed()).isEqualTo(expected));
		}
	}

	@Test
	@Timeout(120)
	void callerAndTargetTerminatingTogetherLoseNoFuture() throws Exception {
		for (int round = 0; round < 10; round++) {
			EventLoop a = EventLoop.builder("st-both-die-a-" + round).build();
			EventLoop b = EventLoop.builder("st-both-die-b-" + round).build();
			int count = 500;
			CountDownLatch done = new CountDownLatch(count);
			AtomicInteger wrong = new AtomicInteger();
			AtomicInteger values = new AtomicInteger();
			CountDownLatch submitted = new CountDownLatch(1);
			a.execute(() -> {
				for (int i = 0; i < count; i++) {
					b.submit(() -> 1).whenComplete((value, ex) -> {
						if (ex == null && value == 1) {
							values.incrementAndGet();
						}
						else if (!(ex instanceof RejectedExecutionException)) {
							wrong.incrementAndGet();
						}
						done.countDown();
					});
					if (i == count / 2) {
						submitted.countDown();
					}
				}
			});
			assertThat(submitted.await(T, TimeUnit.SECONDS)).isTrue();
			CountDownLatch go = new CountDownLatch(1);
			Thread killA = new Thread(() -> {
				awaitQuietly(go);
				a.shutdownGracefully(Duration.ZERO);
			});
			killA.start();
			go.countDown();
			b.shutdownGracefully(Duration.ZERO);
			killA.join(TimeUnit.SECONDS.toMillis(T));
			assertThat(a.terminationFuture()).succeedsWithin(WAIT);
			assertThat(b.terminationFuture()).succeedsWithin(WAIT);
			assertThat(done.await(T, TimeUnit.SECONDS)).as("round %d: every future completed", round).isTrue();
			assertThat(wrong).hasValue(0);
			LoopCounters counters = b.counters();
			assertThat(counters.submitted() + counters.rejected()).isEqualTo(count);
			assertThat(counters.completed() + counters.abandoned()).isEqualTo(counters.submitted());
			assertThat(counters.completed()).isEqualTo(values.get());
			assertThat(a.counters().abandoned()).isZero();
		}
	}

	@Test
	@Timeout(60)
	void aTargetShutDownFromInsideOneOfItsTasksAccountsForEveryQueuedTask() throws Exception {
		EventLoop a = loop("st-inside-a");
		EventLoop b = EventLoop.builder("st-inside-b").build();
		Thread aThread = threadOf(a);
		CountDownLatch release = hold(b);
		int count = 100;
		CountDownLatch done = new CountDownLatch(count);
		AtomicInteger values = new AtomicInteger();
		AtomicInteger refusals = new AtomicInteger();
		AtomicInteger offA = new AtomicInteger();
		a.submit(() -> {
			for (int i = 0; i < count; i++) {
				int n = i;
				b.submit(() -> {
					if (n == 9) {
						b.shutdownGracefully(Duration.ZERO);
					}
					return n;
				}).whenComplete((value, ex) -> {
					if (Thread.currentThread() != aThread) {
						offA.incrementAndGet();
					}
					if (ex instanceof RejectedExecutionException) {
						refusals.incrementAndGet();
					}
					else if (ex == null && value == n) {
						values.incrementAndGet();
					}
					done.countDown();
				});
			}
			return null;
		}).get(T, TimeUnit.SECONDS);
		release.countDown();
		assertThat(b.terminationFuture()).succeedsWithin(WAIT);
		assertThat(done.await(T, TimeUnit.SECONDS)).isTrue();
		assertThat(offA).hasValue(0);
		assertThat(values.get()).isGreaterThanOrEqualTo(10);
		assertThat(values.get() + refusals.get()).isEqualTo(count);
		LoopCounters counters = b.counters();
		assertThat(counters.submitted()).isEqualTo(count + 1);
		assertThat(counters.abandoned()).isEqualTo(refusals.get());
		assertThat(counters.completed()).isEqualTo(values.get() + 1);
		assertThat(a.counters().abandoned()).isZero();
	}

	// ---- bounded queues

	@ParameterizedTest
	@EnumSource(value = BlockingPolicy.class, names = { "FAIL", "ALLOW" })
	@Timeout(60)
	void manyHopsBothWaysThroughBoundedQueuesNeverRefuseAHopNorDriftTheBound(BlockingPolicy policy) throws Exception {
		int capacity = 4;
		EventLoop a = loop("st-bound-a-" + policy, policy, capacity, IdleStrategy.PARK);
		EventLoop b = loop("st-bound-b-" + policy, policy, capacity, IdleStrategy.PARK);
		int trips = 2000;
		CompletableFuture<Integer> aToB = new CompletableFuture<>();
		CompletableFuture<Integer> bToA = new CompletableFuture<>();
		a.execute(() -> chain(a, b, 0, trips, aToB));
		b.execute(() -> chain(b, a, 0, trips, bToA));
		assertThat(aToB.get(T * 3, TimeUnit.SECONDS)).isEqualTo(trips);
		assertThat(bToA.get(T * 3, TimeUnit.SECONDS)).isEqualTo(trips);
		// hops into a full queue: A fills its own queue, then B's results come back
		List<Integer> intoFull = a.submit(() -> {
			List<LoopFuture<Integer>> futures = new ArrayList<>();
			for (int i = 0; i < capacity; i++) {
				futures.add(b.submit(() -> 1));
			}
			for (int i = 0; i < capacity; i++) {
				a.execute(() -> {
				});
			}
			return futures;
		})
			.thenCompose((futures) -> CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]))
				.thenApply((ignored) -> futures.stream().map(CompletableFuture::join).toList()))
			.get(T, TimeUnit.SECONDS);
		assertThat(intoFull).containsOnly(1).hasSize(capacity);
		assertThat(a.counters().rejected()).isZero();
		assertThat(b.counters().rejected()).isZero();
		// the tasks that filled A's queue have run
		await().atMost(WAIT).until(() -> a.counters().queueSize() == 0 && b.counters().queueSize() == 0);
		assertBoundHolds(a, capacity);
		assertBoundHolds(b, capacity);
	}

	/**
	 * From {@code from}'s thread, one round trip to {@code to} after another.
	 */
	private static void chain(EventLoop from, EventLoop to, int done, int trips, CompletableFuture<Integer> result) {
		if (done == trips) {
			result.complete(done);
			return;
		}
		to.submit(() -> done).whenComplete((value, ex) -> {
			if (ex != null || value != done || !from.inLoop()) {
				result.completeExceptionally(new AssertionError(
						"trip " + done + ": " + value + " on " + Thread.currentThread().getName(), ex));
				return;
			}
			chain(from, to, done + 1, trips, result);
		});
	}

	// ---- inline calls deferred to their own loop

	@Test
	@Timeout(30)
	void aDeferredInlineCallRefusedByAFullQueueFailsAndLeavesNoBookkeepingBehind() throws Exception {
		EventLoop loop = loop("st-deferred-full", BlockingPolicy.FAIL, 1, IdleStrategy.PARK);
		try (AsyncContext context = AsyncContext.builder().maxInlineDepth(1).build()) {
			List<Object> seen = loop.submit(() -> {
				loop.execute(() -> {
				}); // the queue is full
				LoopFuture<LoopFuture<String>> outer = context.dispatch(loop,
						() -> context.dispatch(loop, () -> "deferred"));
				LoopFuture<String> refused = outer.join();
				int pending = loop.thread().deferredInline;
				LoopFuture<String> inline = context.dispatch(loop, () -> "inline");
				return List.<Object>of(refused, pending, inline.isDone());
			}).get(T, TimeUnit.SECONDS);
			assertThat((LoopFuture<?>) seen.get(0)).failsWithin(WAIT)
				.withThrowableOfType(ExecutionException.class)
				.withCauseInstanceOf(RejectedExecutionException.class);
			assertThat(seen.subList(1, 3)).containsExactly(0, true);
			assertThat(loop.counters().rejected()).isEqualTo(1);
			// the task that filled the queue has run
			await().atMost(WAIT).untilAsserted(() -> assertThat(loop.counters().completed()).isEqualTo(2));
			assertBoundHolds(loop, 1);
		}
	}

	@ParameterizedTest
	@EnumSource(value = BlockingPolicy.class, names = { "FAIL", "WARN" })
	@Timeout(30)
	void deferredInlineCallsKeepTheirOrderAndBookkeepingWhenCancelledOrFailing(BlockingPolicy policy) throws Exception {
		EventLoop loop = loop("st-deferred-" + policy, policy, 0, IdleStrategy.PARK);
		long failedBefore = loop.counters().failed();
		try (AsyncContext context = AsyncContext.builder().maxInlineDepth(1).build()) {
			List<String> order = Collections.synchronizedList(new ArrayList<>());
			IllegalStateException boom = new IllegalStateException("deferred failure");
			List<LoopFuture<String>> futures = loop.submit(() -> {
				List<LoopFuture<String>> queued = new ArrayList<>();
				// depth 1: each nested dispatch is past the limit and is queued on this
				// loop
				context.dispatch(loop, () -> {
					queued.add(context.dispatch(loop, () -> {
						order.add("plain");
						return "plain";
					}));
					queued.add(context.dispatch(loop, () -> {
						order.add("cancelled");
						return "cancelled";
					}));
					queued.add(context.dispatch(loop, () -> {
						order.add("failing");
						throw boom;
					}));
					return null;
				}).join();
				// back at depth 0, but behind queued dispatches: queued too
				queued.add(context.dispatch(loop, () -> {
					order.add("later");
					return "later";
				}));
				for (LoopFuture<String> future : queued) {
					if (future.isDone()) {
						throw new AssertionError("ran inline: " + future);
					}
				}
				queued.get(1).cancel(false);
				order.add("task end");
				return queued;
			}).get(T, TimeUnit.SECONDS);
			assertThat(futures.get(0).get(T, TimeUnit.SECONDS)).isEqualTo("plain");
			assertThat(futures.get(1)).isCancelled();
			assertThat(futures.get(2)).failsWithin(WAIT).withThrowableOfType(ExecutionException.class).withCause(boom);
			assertThat(futures.get(3).get(T, TimeUnit.SECONDS)).isEqualTo("later");
			assertThat(order).containsExactly("task end", "plain", "failing", "later");
			// the bookkeeping is back to zero: a dispatch runs inline again
			List<Object> after = loop.submit(() -> {
				int pending = loop.thread().deferredInline;
				LoopFuture<String> inline = context.dispatch(loop, () -> "inline");
				return List.<Object>of(pending, inline.isDone());
			}).get(T, TimeUnit.SECONDS);
			assertThat(after).containsExactly(0, true);
			assertThat(loop.counters().failed() - failedBefore).isEqualTo(1);
		}
	}

	@Test
	@Timeout(30)
	void aDeferredInlineCallLeftAtShutdownIsRunOrAbandonedAndAccountedOnce() throws Exception {
		EventLoop loop = EventLoop.builder("st-deferred-abandoned").build();
		try (AsyncContext context = AsyncContext.builder().maxInlineDepth(1).build()) {
			AtomicInteger ran = new AtomicInteger();
			LoopFuture<LoopFuture<Integer>> outer = loop.submit(() -> {
				LoopFuture<Integer> deferred = context
					.dispatch(loop, () -> context.dispatch(loop, ran::incrementAndGet))
					.join();
				loop.shutdownGracefully(Duration.ZERO);
				return deferred;
			});
			LoopFuture<Integer> deferred = outer.get(T, TimeUnit.SECONDS);
			assertThat(loop.terminationFuture()).succeedsWithin(WAIT);
			assertThat(deferred.isDone()).as("the deferred call's future is done once the loop terminated").isTrue();
			if (deferred.isCompletedExceptionally()) {
				assertThat(deferred).failsWithin(WAIT)
					.withThrowableOfType(ExecutionException.class)
					.withCauseInstanceOf(RejectedExecutionException.class);
				assertThat(ran).hasValue(0);
				assertThat(loop.counters().abandoned()).isEqualTo(1);
			}
			else {
				assertThat(ran).hasValue(1);
				assertThat(loop.counters().abandoned()).isZero();
			}
			assertThat(loop.counters().submitted())
				.isEqualTo(loop.counters().completed() + loop.counters().abandoned());
		}
	}

	// ---- many loops hopping to each other at once

	@Test
	@Timeout(120)
	void manyLoopsHoppingWithFailuresAndCancelsCompleteEveryFutureOnceOnTheCallersLoop() throws Exception {
		int size = 4;
		List<EventLoop> group = new ArrayList<>();
		List<Thread> threads = new ArrayList<>();
		for (int i = 0; i < size; i++) {
			IdleStrategy idle = IdleStrategy.values()[i % IdleStrategy.values().length];
			EventLoop loop = loop("st-mesh-" + i, BlockingPolicy.FAIL, 0, idle);
			group.add(loop);
			threads.add(threadOf(loop));
		}
		int perLoop = 2000;
		int total = size * perLoop;
		CountDownLatch done = new CountDownLatch(total);
		AtomicInteger thrown = new AtomicInteger();
		AtomicInteger cancelTasks = new AtomicInteger();
		AtomicInteger twice = new AtomicInteger();
		AtomicInteger wrong = new AtomicInteger();
		Queue<String> wrongs = new ConcurrentLinkedQueue<>();
		for (int i = 0; i < size; i++) {
			int caller = i;
			EventLoop home = group.get(i);
			home.execute(() -> {
				ThreadLocalRandom random = ThreadLocalRandom.current();
				for (int j = 0; j < perLoop; j++) {
					int n = j;
					int target = (caller + 1 + random.nextInt(size - 1)) % size;
					int mode = random.nextInt(4);
					LoopFuture<Integer> future = group.get(target).submit(() -> {
						if (mode == 1) {
							thrown.incrementAndGet();
							throw new IllegalStateException("planned " + n);
						}
						return n;
					});
					AtomicInteger calls = new AtomicInteger();
					future.whenComplete((value, ex) -> {
						if (calls.incrementAndGet() != 1) {
							twice.incrementAndGet();
						}
						boolean onCaller = Thread.currentThread() == threads.get(caller);
						boolean ok = switch (mode) {
							case 1 -> onCaller && ex instanceof IllegalStateException;
							case 2 -> onCaller && future.isCancelled();
							// cancelled from the target: completed there by the cancel,
							// which
							// runs the dependents even when it loses the race
							case 3 -> future.isCancelled() || (ex == null && value == n
									&& (onCaller || Thread.currentThread() == threads.get(target)));
							default -> onCaller && ex == null && value == n;
						};
						if (!ok) {
							wrong.incrementAndGet();
							wrongs.add(caller + "->" + target + " mode " + mode + " on "
									+ Thread.currentThread().getName() + ": " + value + " / " + ex);
						}
						done.countDown();
					});
					if (mode == 2) {
						future.cancel(false);
					}
					else if (mode == 3) {
						// cancel later, from the target loop: racing the run or the hop
						cancelTasks.incrementAndGet();
						group.get(target).execute(() -> future.cancel(false));
					}
				}
			});
		}
		assertThat(done.await(T * 6, TimeUnit.SECONDS)).isTrue();
		assertThat(twice).hasValue(0);
		assertThat(wrongs).as("wrong outcomes or threads").isEmpty();
		assertThat(wrong).hasValue(0);
		await().atMost(WAIT).untilAsserted(() -> {
			long submitted = group.stream().mapToLong((loop) -> loop.counters().submitted()).sum();
			long completed = group.stream().mapToLong((loop) -> loop.counters().completed()).sum();
			long failed = group.stream().mapToLong((loop) -> loop.counters().failed()).sum();
			assertThat(completed + failed).isEqualTo(submitted);
			assertThat(failed).isEqualTo(thrown.get());
		});
		// each loop's two tasks from here, the tasks and the cancel tasks: no hop
		assertThat(group.stream().mapToLong((loop) -> loop.counters().submitted()).sum())
			.isEqualTo(2L * size + total + cancelTasks.get());
	}

	@Test
	@Timeout(30)
	void aCallerOnNoLoopGetsItsFutureCompletedOnTheTargetsThread() throws Exception {
		EventLoop b = loop("st-no-loop-b");
		Thread bThread = threadOf(b);
		CountDownLatch release = hold(b);
		AtomicReference<Thread> valueOn = new AtomicReference<>();
		AtomicReference<Thread> failureOn = new AtomicReference<>();
		LoopFuture<Integer> value = b.submit(() -> 1);
		LoopFuture<Integer> failure = b.submit(() -> {
			throw new IllegalStateException("planned");
		});
		CompletableFuture<Integer> v = value.whenComplete((result, ex) -> valueOn.set(Thread.currentThread()));
		CompletableFuture<Integer> f = failure.whenComplete((result, ex) -> failureOn.set(Thread.currentThread()));
		release.countDown();
		assertThat(v).succeedsWithin(WAIT).isEqualTo(1);
		assertThat(f).failsWithin(WAIT);
		assertThat(valueOn.get()).isSameAs(bThread);
		assertThat(failureOn.get()).isSameAs(bThread);
	}

	// ---- PARK loops spin briefly, then park

	@Test
	@Timeout(30)
	void anIdleParkLoopStillParksAndAPendingTimerBoundsThePark() throws Exception {
		EventLoop loop = loop("st-park-idle");
		Thread thread = threadOf(loop);
		await().atMost(WAIT).until(() -> thread.getState() == Thread.State.WAITING && loop.thread().parked == 1);
		LoopFuture<Void> timer = loop.schedule(() -> {
		}, Duration.ofMinutes(10));
		await().atMost(WAIT).until(() -> thread.getState() == Thread.State.TIMED_WAITING && loop.thread().parked == 1);
		assertThat(timer.cancel(false)).isTrue();
	}

	@Test
	@Timeout(60)
	void aParkLoopLosesNoWakeUpAndItsTimersFire() throws Exception {
		EventLoop a = loop("st-park-a");
		EventLoop b = loop("st-park-b");
		// a producer on no loop, one task at a time: each finds the loop spinning or
		// parked
		for (int i = 0; i < 20_000; i++) {
			int n = i;
			assertThat(b.submit(() -> n).get(T, TimeUnit.SECONDS)).isEqualTo(n);
		}
		// loop to loop, one hop at a time
		CompletableFuture<Integer> trips = new CompletableFuture<>();
		a.execute(() -> chain(a, b, 0, 20_000, trips));
		assertThat(trips.get(T * 3, TimeUnit.SECONDS)).isEqualTo(20_000);
		// timers alone wake an idle loop, one after another
		for (int i = 0; i < 200; i++) {
			assertThat(b.schedule(() -> {
			}, Duration.ofNanos(ThreadLocalRandom.current().nextLong(1, 2_000_000)))).succeedsWithin(WAIT);
		}
		// and timers interleaved with tasks
		List<LoopFuture<Void>> timers = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			timers.add(b.schedule(() -> {
			}, Duration.ofMillis(i % 5)));
			b.execute(() -> {
			});
		}
		for (LoopFuture<Void> timer : timers) {
			assertThat(timer).succeedsWithin(WAIT);
		}
	}

	@Test
	@Timeout(30)
	void anIdleParkLoopShutsDownAtOnceWhateverItsTimeout() throws Exception {
		for (int i = 0; i < 20; i++) {
			EventLoop loop = loop("st-park-shutdown-" + i);
			threadOf(loop);
			if (i % 2 == 0) {
				await().atMost(WAIT).until(() -> loop.thread().parked == 1);
			}
			assertThat(loop.shutdownGracefully(Duration.ofMinutes(10))).succeedsWithin(WAIT);
			assertThat(loop.state()).isEqualTo(LoopState.TERMINATED);
		}
	}

	// ---- the note on groups with more loops than processors

	@Test
	void aGroupWithMoreLoopsThanProcessorsIsNotedAtInfoAndOnlyAManyTimesLargerOneWarned() {
		Logger logger = Logger.getLogger(EventLoopGroup.class.getName());
		List<LogRecord> records = Collections.synchronizedList(new ArrayList<>());
		Handler handler = new Handler() {
			@Override
			public void publish(LogRecord record) {
				records.add(record);
			}

			@Override
			public void flush() {
			}

			@Override
			public void close() {
			}
		};
		handler.setLevel(Level.ALL);
		Level previous = logger.getLevel();
		logger.setLevel(Level.ALL);
		logger.addHandler(handler);
		try {
			assertThat(MultiLoopGroup.warnIfOversized("st-fits", 2, 2)).isFalse();
			assertThat(MultiLoopGroup.warnIfOversized("st-one", 1, 1)).isFalse();
			assertThat(records).isEmpty();
			assertThat(MultiLoopGroup.warnIfOversized("st-over", 3, 2)).isFalse();
			assertThat(MultiLoopGroup.warnIfOversized("st-edge", 16, 2)).isFalse();
			assertThat(records).extracting(LogRecord::getLevel).containsExactly(Level.INFO, Level.INFO);
			assertThat(records.get(0).getMessage()).contains("st-over", "3 loops", "2 processors");
			records.clear();
			assertThat(MultiLoopGroup.warnIfOversized("st-many", 17, 2)).isTrue();
			assertThat(records).extracting(LogRecord::getLevel).containsExactly(Level.WARNING);
		}
		finally {
			logger.removeHandler(handler);
			logger.setLevel(previous);
		}
	}

}
