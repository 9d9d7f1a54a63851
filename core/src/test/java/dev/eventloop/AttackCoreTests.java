package dev.eventloop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Adversarial tests of promises that held: bounded queues, call order, timers, and timed
 * waits on loop futures.
 */
class AttackCoreTests {

	private final List<EventLoopGroup> groups = new ArrayList<>();

	private final List<AsyncContext> contexts = new ArrayList<>();

	@AfterEach
	void shutdown() {
		this.contexts.forEach(AsyncContext::close);
		this.groups.forEach((group) -> group.shutdownGracefully(Duration.ofSeconds(2))
			.orTimeout(10, TimeUnit.SECONDS)
			.exceptionally((ex) -> null)
			.join());
	}

	private <G extends EventLoopGroup> G track(G group) {
		this.groups.add(group);
		return group;
	}

	private AsyncContext context(int depth) {
		AsyncContext context = AsyncContext.builder().maxInlineDepth(depth).build();
		this.contexts.add(context);
		return context;
	}

	private static Thread threadOf(EventLoop loop) throws Exception {
		return loop.submit(Thread::currentThread).get(5, TimeUnit.SECONDS);
	}

	private static void blockUntil(CountDownLatch latch) {
		try {
			if (!latch.await(10, TimeUnit.SECONDS)) {
				throw new IllegalStateException("latch not released");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	// ---- 1. bounded queues

	@Test
	@Timeout(60)
	void boundedQueueAcceptsExactlyCapacityUnderManyProducersRoundAfterRound() throws Exception {
		int capacity = 64;
		EventLoop loop = track(EventLoop.builder("attack-bound").queueCapacity(capacity).build());
		for (int round = 0; round < 5; round++) {
			CountDownLatch started = new CountDownLatch(1);
			CountDownLatch release = new CountDownLatch(1);
			loop.execute(() -> {
				started.countDown();
				blockUntil(release);
			});
			assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
			int producers = 8;
			int perProducer = 200;
			AtomicInteger accepted = new AtomicInteger();
			AtomicInteger rejected = new AtomicInteger();
			AtomicInteger ran = new AtomicInteger();
			Queue<LoopFuture<?>> futures = new ConcurrentLinkedQueue<>();
			CyclicBarrier barrier = new CyclicBarrier(producers);
			List<Thread> threads = new ArrayList<>();
			for (int p = 0; p < producers; p++) {
				int kind = p % 3;
				Thread thread = new Thread(() -> {
					try {
						barrier.await(5, TimeUnit.SECONDS);
					}
					catch (Exception ex) {
						throw new IllegalStateException(ex);
					}
					for (int i = 0; i < perProducer; i++) {
						if (kind == 0) {
							try {
								loop.execute(ran::incrementAndGet);
								accepted.incrementAndGet();
							}
							catch (RejectedExecutionException ex) {
								rejected.incrementAndGet();
							}
						}
						else if (kind == 1) {
							LoopFuture<Integer> future = loop.submit(ran::incrementAndGet);
							if (future.isCompletedExceptionally()) {
								rejected.incrementAndGet();
							}
							else {
								accepted.incrementAndGet();
								futures.add(future);
							}
						}
						else {
							LoopFuture<Void> future = loop.schedule(ran::incrementAndGet, Duration.ZERO);
							if (future.isCompletedExceptionally()) {
								rejected.incrementAndGet();
							}
							else {
								accepted.incrementAndGet();
								futures.add(future);
							}
						}
					}
				});
				threads.add(thread);
				thread.start();
			}
			for (Thread thread : threads) {
				thread.join(10_000);
			}
			assertThat(accepted.get()).as("accepted while the loop was held, round " + round).isEqualTo(capacity);
			assertThat(rejected.get()).isEqualTo(producers * perProducer - capacity);
			release.countDown();
			await().atMost(Duration.ofSeconds(10)).until(() -> ran.get() == capacity);
			for (LoopFuture<?> future : futures) {
				future.get(5, TimeUnit.SECONDS);
			}
			await().atMost(Duration.ofSeconds(5)).until(() -> loop.counters().queueSize() == 0);
		}
	}

	@Test
	@Timeout(30)
	void completionHopsToAFullQueueAreAcceptedAndRunOnTheCallersLoop() throws Exception {
		EventLoop a = track(EventLoop.builder("attack-hop-a").queueCapacity(2).build());
		EventLoop b = track(EventLoop.builder("attack-hop-b").build());
		AsyncContext async = context(4);
		Thread aThread = threadOf(a);
		int hops = 500;
		Queue<Thread> continuationThreads = new ConcurrentLinkedQueue<>();
		AtomicInteger values = new AtomicInteger();
		CountDownLatch done = new CountDownLatch(hops);
		LoopFuture<Boolean> fullOnA = a.submit(() -> {
			a.execute(() -> {
			});
			a.execute(() -> {
			});
			boolean refused;
			try {
				a.execute(() -> {
				});
				refused = false;
			}
			catch (RejectedExecutionException ex) {
				refused = true;
			}
			for (int i = 0; i < hops; i++) {
				LoopFuture<Integer> future = ((i % 2) == 0) ? b.submit(() -> 1) : async.dispatch(b, () -> 1);
				future.thenAccept((value) -> {
					continuationThreads.add(Thread.currentThread());
					values.addAndGet(value);
					done.countDown();
				});
			}
			return refused;
		});
		assertThat(fullOnA.get(5, TimeUnit.SECONDS)).as("A's queue was full").isTrue();
		assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(values.get()).isEqualTo(hops);
		assertThat(continuationThreads).hasSize(hops).containsOnly(aThread);
	}

	@Test
	@Timeout(60)
	void everyFutureCompletesExactlyOnceWhenShutdownRacesProducers() throws Exception {
		for (int trial = 0; trial < 5; trial++) {
			EventLoop loop = EventLoop.builder("attack-race-" + trial).queueCapacity(256).build();
			AtomicBoolean stop = new AtomicBoolean();
			AtomicInteger ran = new AtomicInteger();
			AtomicInteger executeAccepted = new AtomicInteger();
			Queue<LoopFuture<Integer>> futures = new ConcurrentLinkedQueue<>();
			Queue<AtomicInteger> completions = new ConcurrentLinkedQueue<>();
			AtomicInteger normal = new AtomicInteger();
			List<Thread> producers = new ArrayList<>();
			for (int p = 0; p < 4; p++) {
				Thread producer = new Thread(() -> {
					while (!stop.get()) {
						LoopFuture<Integer> future = loop.submit(() -> {
							ran.incrementAndGet();
							long until = System.nanoTime() + 5_000;
							while (System.nanoTime() < until) {
								Thread.onSpinWait();
							}
							return 1;
						});
						AtomicInteger count = new AtomicInteger();
						completions.add(count);
						futures.add(future);
						future.whenComplete((value, failure) -> {
							count.incrementAndGet();
							if (failure == null) {
								normal.incrementAndGet();
							}
						});
						try {
							loop.execute(ran::incrementAndGet);
							executeAccepted.incrementAndGet();
						}
						catch (RejectedExecutionException ex) {
							// full or shut down
						}
					}
				});
				producers.add(producer);
				producer.start();
			}
			await().atMost(Duration.ofSeconds(10)).until(() -> futures.size() > 2000);
			CompletableFuture<Void> terminated = loop.shutdownGracefully(Duration.ofMillis(trial));
			terminated.get(10, TimeUnit.SECONDS);
			stop.set(true);
			for (Thread producer : producers) {
				producer.join(10_000);
			}
			for (LoopFuture<Integer> future : futures) {
				assertThat(future).isDone();
				if (future.isCompletedExceptionally()) {
					assertThatExceptionOfType(ExecutionException.class)
						.isThrownBy(() -> future.get(0, TimeUnit.SECONDS))
						.withCauseInstanceOf(RejectedExecutionException.class);
				}
			}
			assertThat(completions).allSatisfy((count) -> assertThat(count.get()).isEqualTo(1));
			LoopCounters counters = loop.counters();
			// every accepted task ran or was abandoned
			assertThat(counters.submitted()).isEqualTo(counters.completed() + counters.failed() + counters.abandoned());
			assertThat((long) ran.get()).isEqualTo(counters.completed());
			assertThat(normal.get()).isLessThanOrEqualTo(ran.get());
		}
	}

	// ---- 2. call order

	@Test
	@Timeout(60)
	void keyedWorkRunsInCallOrderBeyondTheInlineDepthWithCancellations() throws Exception {
		EventLoopGroup group = track(EventLoopGroup.builder("attack-order").threads(2).build());
		AsyncContext async = context(2);
		EventLoop home = group.loops().get(0);
		String key = keyOn(group, home);
		String otherKey = keyOn(group, group.loops().get(1));
		OrderProbe probe = new OrderProbe(async, group, key, otherKey);
		home.execute(() -> probe.recurse(0));
		await().atMost(Duration.ofSeconds(20)).until(probe::settled);
		assertThat(probe.failures).isEmpty();
		assertThat(probe.ran).isSortedAccordingTo(Integer::compare).doesNotHaveDuplicates();
		assertThat(probe.ranOther).isSortedAccordingTo(Integer::compare).doesNotHaveDuplicates();
		assertThat(probe.ran).doesNotContainAnyElementsOf(probe.cancelledOnLoop);
		assertThat(probe.deferred.get()).as("some calls were deferred").isPositive();
		assertThat(probe.cancelledOnLoop).as("some deferred calls were cancelled").isNotEmpty();
		assertInlineAgain(async, group, home, key);
	}

	@Test
	@Timeout(60)
	void deferredCounterRecoversWhenDeferredDispatchesAreRejectedByAFullQueue() throws Exception {
		EventLoop loop = track(EventLoop.builder("attack-order-full").queueCapacity(3).build());
		AsyncContext async = context(1);
		List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
		AtomicInteger rejected = new AtomicInteger();
		AtomicInteger seq = new AtomicInteger();
		loop.submit(() -> {
			nest(async, loop, ran, rejected, seq, 0);
			return null;
		}).get(5, TimeUnit.SECONDS);
		await().atMost(Duration.ofSeconds(5)).until(() -> loop.counters().queueSize() == 0);
		assertThat(rejected.get()).isPositive();
		assertThat(ran).isSortedAccordingTo(Integer::compare);
		assertInlineAgain(async, loop, loop, "k");
	}

	private static void nest(AsyncContext async, EventLoop loop, List<Integer> ran, AtomicInteger rejected,
			AtomicInteger seq, int depth) {
		if (depth > 4) {
			return;
		}
		for (int i = 0; i < 3; i++) {
			int n = seq.getAndIncrement();
			LoopFuture<Void> future = async.dispatch(loop, "k", () -> {
				ran.add(n);
				nest(async, loop, ran, rejected, seq, depth + 1);
				return null;
			});
			if (future.isCompletedExceptionally() && !future.isCancelled()) {
				rejected.incrementAndGet();
			}
			int m = seq.getAndIncrement();
			try {
				async.execute(loop, "k", () -> ran.add(m));
			}
			catch (RejectedExecutionException ex) {
				rejected.incrementAndGet();
			}
		}
	}

	private static void assertInlineAgain(AsyncContext async, EventLoopGroup group, EventLoop home, String key)
			throws Exception {
		boolean[] result = home.submit(() -> {
			long before = home.counters().inline();
			LoopFuture<Integer> inline = async.dispatch(group, key, () -> 7);
			boolean ranInline = inline.isDone();
			long afterDispatch = home.counters().inline();
			AtomicBoolean executed = new AtomicBoolean();
			async.execute(group, key, () -> executed.set(true));
			return new boolean[] { ranInline, afterDispatch == before + 1, executed.get(),
					home.counters().inline() == before + 2 };
		}).get(5, TimeUnit.SECONDS);
		assertThat(result).as("inline dispatch, inline count, inline execute, inline count").containsOnly(true);
	}

	static String keyOn(EventLoopGroup group, EventLoop loop) {
		for (int i = 0;; i++) {
			String key = "key-" + i;
			if (group.forKey(key) == loop) {
				return key;
			}
		}
	}

	// ---- 3. timers

	@Test
	@Timeout(30)
	void timersWithEqualDeadlinesRunInArmingOrder() throws Exception {
		AtomicLong time = new AtomicLong(1_000);
		EventLoop loop = track(EventLoop.builder("attack-fifo").ticker(time::get).build());
		List<Integer> order = Collections.synchronizedList(new ArrayList<>());
		List<LoopFuture<Void>> futures = new ArrayList<>();
		int count = 3000;
		// from another thread: armed in queue order
		for (int i = 0; i < count / 2; i++) {
			int n = i;
			futures.add(loop.schedule(() -> order.add(n), Duration.ofSeconds(1)));
		}
		// then from the loop itself: armed at once, after the ones above were taken
		loop.submit(() -> {
			for (int i = count / 2; i < count; i++) {
				int n = i;
				futures.add(loop.schedule(() -> order.add(n), Duration.ofSeconds(1)));
			}
			return null;
		}).get(5, TimeUnit.SECONDS);
		assertThat(loop.submit(() -> loop.timers().size()).get(5, TimeUnit.SECONDS)).isEqualTo(count);
		time.addAndGet(TimeUnit.SECONDS.toNanos(2));
		loop.execute(() -> {
		});
		await().atMost(Duration.ofSeconds(10)).until(() -> order.size() == count);
		List<Integer> expected = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			expected.add(i);
		}
		assertThat(order).isEqualTo(expected);
		assertThat(futures).allSatisfy((f) -> assertThat(f).isCompleted());
	}

	@Test
	@Timeout(60)
	void everyTimerFutureCompletesWhenCancellationsAndShutdownRace() throws Exception {
		for (int trial = 0; trial < 3; trial++) {
			EventLoop loop = EventLoop.builder("attack-timers-" + trial).build();
			Queue<LoopFuture<Void>> futures = new ConcurrentLinkedQueue<>();
			AtomicBoolean stop = new AtomicBoolean();
			List<Thread> producers = new ArrayList<>();
			for (int p = 0; p < 3; p++) {
				Thread producer = new Thread(() -> {
					ThreadLocalRandom random = ThreadLocalRandom.current();
					while (!stop.get()) {
						Duration delay = Duration.ofNanos(random.nextLong(0, 2_000_000));
						LoopFuture<Void> future = switch (random.nextInt(4)) {
							case 0 -> loop.schedule(() -> {
							}, delay);
							case 1 -> loop.scheduleAtFixedRate(() -> {
							}, delay, Duration.ofNanos(300_000));
							case 2 -> loop.scheduleWithFixedDelay(() -> {
							}, delay, Duration.ofNanos(300_000));
							default -> {
								// from the loop: schedule, and cancel some there
								LoopFuture<LoopFuture<Void>> onLoop = loop.submit(() -> {
									LoopFuture<Void> timer = loop.scheduleAtFixedRate(() -> {
									}, delay, Duration.ofMillis(1));
									if (random.nextBoolean()) {
										timer.cancel(false);
									}
									return timer;
								});
								LoopFuture<Void> timer;
								try {
									timer = onLoop.get(5, TimeUnit.SECONDS);
								}
								catch (Exception ex) {
									timer = null;
								}
								yield timer;
							}
						};
						if (future != null) {
							futures.add(future);
							if (random.nextInt(3) == 0) {
								future.cancel(false);
							}
						}
					}
				});
				producers.add(producer);
				producer.start();
			}
			await().atMost(Duration.ofSeconds(10)).until(() -> futures.size() > 3000);
			loop.shutdownGracefully(Duration.ofMillis(trial)).get(10, TimeUnit.SECONDS);
			stop.set(true);
			for (Thread producer : producers) {
				producer.join(10_000);
			}
			await().atMost(Duration.ofSeconds(5)).until(() -> futures.stream().allMatch(CompletableFuture::isDone));
			for (LoopFuture<Void> future : futures) {
				if (future.isCompletedExceptionally()) {
					try {
						future.get(0, TimeUnit.SECONDS);
					}
					catch (ExecutionException ex) {
						assertThat(ex.getCause()).isInstanceOfAny(RejectedExecutionException.class,
								CancellationException.class);
					}
					catch (CancellationException ex) {
						// cancelled
					}
				}
			}
		}
	}

	@Test
	@Timeout(30)
	void timersCancelledOnTheLoopLeaveTheHeapAtOnceAndMassCancellationElsewhereIsPurged() throws Exception {
		EventLoop loop = track(EventLoop.builder("attack-purge").build());
		int count = 8192;
		int heapSize = loop.submit(() -> {
			List<LoopFuture<Void>> timers = new ArrayList<>();
			for (int i = 0; i < 500; i++) {
				timers.add(loop.schedule(() -> {
				}, Duration.ofHours(1)));
			}
			timers.forEach((t) -> t.cancel(false));
			return loop.timers().size();
		}).get(5, TimeUnit.SECONDS);
		assertThat(heapSize).isZero();
		List<LoopFuture<Void>> timers = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			timers.add(loop.schedule(() -> {
			}, Duration.ofHours(1)));
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> loop.timers().size() == count);
		Thread other = new Thread(() -> timers.subList(0, count / 2).forEach((t) -> t.cancel(true)));
		other.start();
		timers.subList(count / 2, count).forEach((t) -> t.cancel(false));
		other.join(10_000);
		assertThat(timers).allSatisfy((t) -> assertThat(t).isCancelled());
		await().atMost(Duration.ofSeconds(5)).until(() -> loop.timers().size() < 1024);
	}

	@Test
	@Timeout(30)
	void timersScheduledDuringShutdownFailAndTheirFuturesComplete() throws Exception {
		EventLoop loop = EventLoop.builder("attack-timer-shutdown").build();
		CountDownLatch release = new CountDownLatch(1);
		loop.execute(() -> blockUntil(release));
		List<LoopFuture<Void>> queued = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			queued.add(loop.schedule(() -> {
			}, Duration.ZERO));
		}
		AtomicReference<LoopFuture<Void>> fromDrain = new AtomicReference<>();
		loop.execute(() -> fromDrain.set(loop.schedule(() -> {
		}, Duration.ZERO)));
		CompletableFuture<Void> terminated = loop.shutdownGracefully(Duration.ofSeconds(5));
		LoopFuture<Void> afterShutdown = loop.scheduleAtFixedRate(() -> {
		}, Duration.ZERO, Duration.ofMillis(1));
		assertThat(afterShutdown).isCompletedExceptionally();
		release.countDown();
		terminated.get(10, TimeUnit.SECONDS);
		assertThat(queued).allSatisfy((f) -> assertThat(f).isCompletedExceptionally());
		assertThat(fromDrain.get()).isCompletedExceptionally();
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> fromDrain.get().get(0, TimeUnit.SECONDS))
			.withCauseInstanceOf(RejectedExecutionException.class);
	}

	// ---- 6. timed waits

	@Test
	@Timeout(30)
	void oddTimeoutsOffTheLoop() throws Exception {
		LoopFuture<Integer> pending = new LoopFuture<>();
		assertThatExceptionOfType(TimeoutException.class).isThrownBy(() -> pending.get(0, TimeUnit.SECONDS));
		assertThatExceptionOfType(TimeoutException.class).isThrownBy(() -> pending.get(-5, TimeUnit.DAYS));
		assertThatExceptionOfType(TimeoutException.class)
			.isThrownBy(() -> pending.get(Long.MIN_VALUE, TimeUnit.NANOSECONDS));
		Thread waiter = Thread.currentThread();
		for (TimeUnit unit : new TimeUnit[] { TimeUnit.NANOSECONDS, TimeUnit.DAYS }) {
			LoopFuture<Integer> later = new LoopFuture<>();
			AtomicBoolean completedWhileWaiting = new AtomicBoolean();
			Thread completer = new Thread(() -> {
				completedWhileWaiting.set(LockSupport2.awaitWaiting(waiter));
				later.complete(9);
			});
			completer.start();
			assertThat(later.get(Long.MAX_VALUE, unit)).isEqualTo(9);
			completer.join(5_000);
			assertThat(completedWhileWaiting).as("completed while the caller waited (%s)", unit).isTrue();
		}
		LoopFuture<Integer> done = LoopFuture.completed(3);
		assertThat(done.get(-1, TimeUnit.DAYS)).isEqualTo(3);
		assertThat(done.get(0, TimeUnit.NANOSECONDS)).isEqualTo(3);
		assertThat(done.join()).isEqualTo(3);
	}

	@Test
	@Timeout(60)
	void oddTimeoutsOnLoopsUnderEachPolicy() throws Exception {
		EventLoop remote = track(EventLoop.builder("attack-remote").build());
		for (BlockingPolicy policy : BlockingPolicy.values()) {
			EventLoop loop = track(EventLoop.builder("attack-wait-" + policy).blockingPolicy(policy).build());
			AtomicInteger completedWhileWaiting = new AtomicInteger();
			List<String> outcomes = loop.submit(() -> {
				List<String> out = new ArrayList<>();
				LoopFuture<Integer> pending = new LoopFuture<>();
				out.add(outcome(() -> pending.get(0, TimeUnit.SECONDS)));
				out.add(outcome(() -> pending.get(-1, TimeUnit.DAYS)));
				out.add(outcome(() -> pending.get(Long.MIN_VALUE, TimeUnit.DAYS)));
				out.add(outcome(() -> LoopFuture.completed(5).get(-1, TimeUnit.DAYS)));
				out.add(outcome(() -> LoopFuture.completed(5).get(Long.MAX_VALUE, TimeUnit.DAYS)));
				out.add(outcome(() -> pending.get(2, TimeUnit.MILLISECONDS)));
				// completed by another thread
				Thread waiter = Thread.currentThread();
				out.add(outcome(
						() -> completedLater(waiter, completedWhileWaiting).get(Long.MAX_VALUE, TimeUnit.DAYS)));
				out.add(outcome(
						() -> completedLater(waiter, completedWhileWaiting).get(Long.MAX_VALUE, TimeUnit.NANOSECONDS)));
				out.add(outcome(() -> completedLater(waiter, completedWhileWaiting).get(Long.MAX_VALUE / 2 - 1,
						TimeUnit.NANOSECONDS)));
				out.add(outcome(() -> completedLater(waiter, completedWhileWaiting).join()));
				// completed by a hop back to this loop
				out.add(outcome(() -> remote.submit(() -> 5).get(Long.MAX_VALUE, TimeUnit.DAYS)));
				out.add(outcome(() -> remote.submit(() -> 5).get(365_000, TimeUnit.DAYS)));
				out.add(outcome(() -> remote.submit(() -> 5).join()));
				return out;
			}).get(30, TimeUnit.SECONDS);
			String blocked = (policy == BlockingPolicy.FAIL) ? "BlockingOnLoopException" : "5";
			String timedOut = (policy == BlockingPolicy.FAIL) ? "BlockingOnLoopException" : "TimeoutException";
			assertThat(outcomes).as(policy.toString())
				.containsExactly("TimeoutException", "TimeoutException", "TimeoutException", "5", "5", timedOut,
						blocked, blocked, blocked, blocked, blocked, blocked, blocked);
			if (policy != BlockingPolicy.FAIL) {
				// each of the four was completed by the other thread while the loop
				// waited
				assertThat(completedWhileWaiting).as(policy.toString()).hasValue(4);
			}
		}
	}

	/**
	 * A future completed by another thread once the waiter waits (or, if it never waits,
	 * as under FAIL, once the bound has passed), counting the completions that came while
	 * it waited.
	 */
	private static LoopFuture<Integer> completedLater(Thread waiter, AtomicInteger completedWhileWaiting) {
		LoopFuture<Integer> future = new LoopFuture<>();
		new Thread(() -> {
			if (LockSupport2.awaitWaiting(waiter)) {
				completedWhileWaiting.incrementAndGet();
			}
			future.complete(5);
		}).start();
		return future;
	}

	private static String outcome(Attempt attempt) {
		try {
			return String.valueOf(attempt.run());
		}
		catch (Throwable ex) {
			return ex.getClass().getSimpleName();
		}
	}

	@Test
	@Timeout(30)
	void producersWaitingForSpaceAreRejectedWhenShutdownStartsAndNeverOverfillTheQueue() throws Exception {
		int capacity = 8;
		EventLoop loop = EventLoop.builder("attack-wait-space")
			.queueCapacity(capacity)
			.submitTimeout(Duration.ofSeconds(20))
			.build();
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		loop.execute(() -> {
			started.countDown();
			blockUntil(release);
		});
		assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
		AtomicInteger ran = new AtomicInteger();
		List<CompletableFuture<LoopFuture<Integer>>> producers = new ArrayList<>();
		for (int p = 0; p < 16; p++) {
			producers.add(CompletableFuture.supplyAsync(() -> loop.submit(ran::incrementAndGet)));
		}
		// 8 get a place at once, 8 wait for space
		await().atMost(Duration.ofSeconds(5))
			.until(() -> producers.stream().filter(CompletableFuture::isDone).count() == 8);
		assertThat(loop.counters().queueSize()).isEqualTo(capacity);
		CompletableFuture<Void> terminated = loop.shutdownGracefully(Duration.ofSeconds(5));
		List<LoopFuture<Integer>> futures = new ArrayList<>();
		for (CompletableFuture<LoopFuture<Integer>> producer : producers) {
			futures.add(producer.get(5, TimeUnit.SECONDS));
		}
		release.countDown();
		terminated.get(10, TimeUnit.SECONDS);
		long rejected = futures.stream().filter(CompletableFuture::isCompletedExceptionally).count();
		assertThat(rejected).isEqualTo(8);
		assertThat(ran).hasValue(8);
		assertThat(futures).allSatisfy((f) -> assertThat(f).isDone());
	}

	static final class OrderProbe {

		final AsyncContext async;

		final EventLoopGroup group;

		final String key;

		final String otherKey;

		final AtomicInteger seq = new AtomicInteger();

		final AtomicInteger otherSeq = new AtomicInteger();

		final List<Integer> ran = Collections.synchronizedList(new ArrayList<>());

		final List<Integer> ranOther = Collections.synchronizedList(new ArrayList<>());

		final List<Integer> cancelledOnLoop = Collections.synchronizedList(new ArrayList<>());

		final AtomicInteger outstanding = new AtomicInteger();

		final AtomicInteger deferred = new AtomicInteger();

		final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();

		OrderProbe(AsyncContext async, EventLoopGroup group, String key, String otherKey) {
			this.async = async;
			this.group = group;
			this.key = key;
			this.otherKey = otherKey;
		}

		boolean settled() {
			return this.outstanding.get() == 0
					&& this.group.loops().stream().allMatch((l) -> l.counters().queueSize() == 0);
		}

		void recurse(int depth) {
			if (depth > 5) {
				return;
			}
			ThreadLocalRandom random = ThreadLocalRandom.current();
			for (int i = 0; i < 3; i++) {
				int n = this.seq.getAndIncrement();
				this.outstanding.incrementAndGet();
				if (random.nextBoolean()) {
					LoopFuture<Void> future = this.async.dispatch(this.group, this.key, () -> {
						this.ran.add(n);
						this.outstanding.decrementAndGet();
						recurse(depth + 1);
						return null;
					});
					if (!future.isDone()) {
						this.deferred.incrementAndGet();
						if (random.nextInt(4) == 0 && future.cancel(false)) {
							this.cancelledOnLoop.add(n);
							this.outstanding.decrementAndGet();
						}
					}
				}
				else {
					this.async.execute(this.group, this.key, () -> {
						this.ran.add(n);
						this.outstanding.decrementAndGet();
						recurse(depth + 1);
					});
				}
				int m = this.otherSeq.getAndIncrement();
				this.outstanding.incrementAndGet();
				LoopFuture<Void> other = this.async.dispatch(this.group, this.otherKey, () -> {
					this.ranOther.add(m);
					this.outstanding.decrementAndGet();
					return null;
				});
				other.whenComplete((v, ex) -> {
					if (ex != null) {
						this.failures.add(ex);
					}
				});
			}
		}

	}

	interface Attempt {

		Object run() throws Exception;

	}

	/** Lets a completing thread wait until the waiter is already waiting. */
	static final class LockSupport2 {

		/**
		 * Wait, for ten seconds at most, until the waiter's thread is parked or sleeping.
		 * @return whether it was seen waiting
		 */
		static boolean awaitWaiting(Thread waiter) {
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
			while (System.nanoTime() - deadline < 0) {
				Thread.State state = waiter.getState();
				if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING) {
					return true;
				}
				java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
			}
			return false;
		}

	}

}
