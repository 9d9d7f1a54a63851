package dev.eventloop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link EventLoop}.
 */
class EventLoopTests {

	private final List<EventLoopGroup> groups = new ArrayList<>();

	@AfterEach
	void shutdown() {
		this.groups.forEach((group) -> group.shutdownGracefully(Duration.ofSeconds(5)));
	}

	private EventLoop track(EventLoop loop) {
		this.groups.add(loop);
		return loop;
	}

	@Test
	void runsTasksOnItsOwnThreadInSubmissionOrder() throws Exception {
		EventLoop loop = track(EventLoop.builder("ordered").build());
		List<Integer> order = new ArrayList<>();
		for (int i = 0; i < 1000; i++) {
			int value = i;
			loop.execute(() -> order.add(value));
		}
		String thread = loop.submit(() -> Thread.currentThread().getName()).get(5, TimeUnit.SECONDS);
		assertThat(thread).isEqualTo("ordered");
		assertThat(order).hasSize(1000).isSorted();
		assertThat(loop.state()).isEqualTo(LoopState.RUNNING);
		assertThat(EventLoop.current()).isEmpty();
		assertThat(loop.submit(() -> EventLoop.current().orElseThrow()).get(5, TimeUnit.SECONDS)).isSameAs(loop);
		assertThat(loop.submit(loop::inLoop).get(5, TimeUnit.SECONDS)).isTrue();
		assertThat(loop.inLoop()).isFalse();
	}

	@Test
	void spinThenParkLoopAnswersRoundTripsAndParksWhenIdle() throws Exception {
		EventLoop loop = track(EventLoop.builder("spinning").idleStrategy(IdleStrategy.SPIN_THEN_PARK).build());
		for (int i = 0; i < 1000; i++) {
			int value = i;
			assertThat(loop.submit(() -> value * 2).get()).isEqualTo(i * 2);
			assertThat(loop.submit(() -> value).join()).isEqualTo(i);
		}
		// the spin is bounded: an idle loop ends up parked, not burning a core
		await().atMost(Duration.ofSeconds(10))
			.until(() -> loop.thread().getState() == Thread.State.WAITING
					|| loop.thread().getState() == Thread.State.TIMED_WAITING);
		assertThat(loop.submit(() -> "woken").get(5, TimeUnit.SECONDS)).isEqualTo("woken");
	}

	@Test
	void throwingTasksLeaveTheLoopRunningAndAreCounted() throws Exception {
		List<Throwable> uncaught = new ArrayList<>();
		CountDownLatch handled = new CountDownLatch(2);
		EventLoop loop = track(EventLoop.builder("faulty").uncaughtExceptionHandler((thread, ex) -> {
			uncaught.add(ex);
			handled.countDown();
		}).build());
		loop.execute(() -> {
			throw new IllegalStateException("runtime");
		});
		loop.execute(() -> {
			throw new AssertionError("error");
		});
		LoopFuture<Object> failedFuture = loop.submit(() -> {
			throw new java.io.IOException("checked");
		});
		assertThat(handled.await(5, TimeUnit.SECONDS)).isTrue();
		assertThat(failedFuture).failsWithin(Duration.ofSeconds(5))
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(java.io.IOException.class);
		assertThat(loop.submit(() -> "alive").get(5, TimeUnit.SECONDS)).isEqualTo("alive");
		assertThat(uncaught).extracting(Throwable::getMessage).containsExactly("runtime", "error");
		LoopStats stats = loop.stats();
		assertThat(stats.tasks().failed()).isEqualTo(3);
		assertThat(stats.tasks().completed()).isEqualTo(1);
		assertThat(stats.tasks().submitted()).isEqualTo(4);
		assertThat(stats.state()).isEqualTo(LoopState.RUNNING);
	}

	@Test
	void scheduledTaskRunsOnTheLoopThreadAfterItsDelay() throws Exception {
		EventLoop loop = track(EventLoop.builder("timer").build());
		AtomicReference<String> thread = new AtomicReference<>();
		long start = System.nanoTime();
		LoopFuture<Void> scheduled = loop.schedule(() -> thread.set(Thread.currentThread().getName()),
				Duration.ofMillis(50));
		scheduled.get(5, TimeUnit.SECONDS);
		assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
		assertThat(thread.get()).isEqualTo("timer");
	}

	@Test
	void scheduledTaskCanBeCancelledBeforeItRuns() throws Exception {
		EventLoop loop = track(EventLoop.builder("cancel").build());
		AtomicInteger runs = new AtomicInteger();
		LoopFuture<Void> scheduled = loop.schedule(runs::incrementAndGet, Duration.ofMillis(100));
		assertThat(scheduled.cancel(false)).isTrue();
		LoopFuture<Void> later = loop.schedule(() -> {
		}, Duration.ofMillis(200));
		later.get(5, TimeUnit.SECONDS);
		assertThat(runs.get()).isZero();
	}

	@Test
	void fixedRateTaskRunsRepeatedlyOnTheLoopUntilCancelled() throws Exception {
		EventLoop loop = track(EventLoop.builder("rate").build());
		AtomicInteger runs = new AtomicInteger();
		List<String> threads = new ArrayList<>();
		LoopFuture<Void> periodic = loop.scheduleAtFixedRate(() -> {
			runs.incrementAndGet();
			threads.add(Thread.currentThread().getName());
		}, Duration.ZERO, Duration.ofMillis(10));
		await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() >= 5);
		assertThat(periodic.cancel(false)).isTrue();
		int afterCancel = loop.submit(runs::get).get(5, TimeUnit.SECONDS);
		loop.schedule(() -> {
		}, Duration.ofMillis(50)).get(5, TimeUnit.SECONDS);
		assertThat(runs.get()).isEqualTo(afterCancel);
		assertThat(loop.submit(() -> List.copyOf(threads)).get(5, TimeUnit.SECONDS)).containsOnly("rate");
	}

	@Test
	void timersFromInsideTheLoopWorkToo() throws Exception {
		EventLoop loop = track(EventLoop.builder("inner-timer").build());
		LoopFuture<Void> scheduled = loop.submit(() -> loop.schedule(() -> {
		}, Duration.ofMillis(5))).get(5, TimeUnit.SECONDS);
		scheduled.get(5, TimeUnit.SECONDS);
		assertThat(loop.stats().tasks().completed()).isEqualTo(2);
		assertThat(loop.stats().tasks().submitted()).isEqualTo(2);
	}

	@Test
	void pendingTimersStopAtShutdown() throws Exception {
		EventLoop loop = EventLoop.builder("timer-shutdown").build();
		AtomicInteger runs = new AtomicInteger();
		LoopFuture<Void> periodic = loop.scheduleAtFixedRate(runs::incrementAndGet, Duration.ofHours(1),
				Duration.ofHours(1));
		LoopFuture<Void> delayed = loop.schedule(runs::incrementAndGet, Duration.ofHours(1));
		loop.submit(() -> null).get(5, TimeUnit.SECONDS);
		loop.shutdownGracefully(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
		assertThat(periodic).isCompletedExceptionally();
		assertThat(delayed.handle((value, failure) -> failure).join()).isInstanceOf(CancellationException.class)
			.hasMessageContaining("'timer-shutdown'");
		assertThat(runs.get()).isZero();
		assertThat(loop.state()).isEqualTo(LoopState.TERMINATED);
	}

	@Test
	void submissionsAfterShutdownFailFastNamingTheLoopAndItsState() throws Exception {
		EventLoop loop = EventLoop.builder("closed").build();
		loop.shutdownGracefully(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
		assertThatExceptionOfType(RejectedExecutionException.class).isThrownBy(() -> loop.execute(() -> {
		})).withMessageContaining("'closed'").withMessageContaining("TERMINATED");
		assertThat(loop.submit(() -> "late")).failsWithin(Duration.ZERO)
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(RejectedExecutionException.class);
		assertThat(loop.schedule(() -> {
		}, Duration.ZERO)).isCompletedExceptionally();
		assertThat(loop.stats().tasks().rejected()).isEqualTo(3);
	}

	@Test
	void shutdownWithManyQueuedTasksCompletesEveryFutureOneWayOrTheOther() throws Exception {
		EventLoop loop = EventLoop.builder("drain").build();
		CountDownLatch release = new CountDownLatch(1);
		loop.execute(() -> awaitQuietly(release));
		int count = 50_000;
		List<LoopFuture<Integer>> futures = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			int value = i;
			futures.add(loop.submit(() -> {
				// slow enough that a 50 ms budget cannot run them all
				long until = System.nanoTime() + 20_000;
				while (System.nanoTime() < until) {
					Thread.onSpinWait();
				}
				return value;
			}));
		}
		CompletableFuture<Void> terminated = loop.shutdownGracefully(Duration.ofMillis(50));
		release.countDown();
		terminated.get(30, TimeUnit.SECONDS);
		long ran = futures.stream().filter((future) -> future.isDone() && !future.isCompletedExceptionally()).count();
		long abandoned = futures.stream().filter(CompletableFuture::isCompletedExceptionally).count();
		assertThat(futures).allMatch(CompletableFuture::isDone);
		assertThat(ran + abandoned).isEqualTo(count);
		assertThat(abandoned).isPositive();
		assertThat(loop.stats().tasks().abandoned()).isEqualTo(abandoned);
		assertThat(futures.get(count - 1)).failsWithin(Duration.ZERO)
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(RejectedExecutionException.class)
			.withMessageContaining("'drain'");
	}

	@Test
	void anAbandonableTaskStillQueuedAtTerminationIsToldWhyInsteadOfRunEvenAfterAnotherFailsToTakeIt()
			throws Exception {
		EventLoop loop = EventLoop.builder("abandoning").build();
		HeldLoop held = HeldLoop.hold(loop);
		AtomicBoolean ran = new AtomicBoolean();
		CompletableFuture<RejectedExecutionException> told = new CompletableFuture<>();
		loop.execute(abandonable(() -> ran.set(true), (cause) -> {
			throw new IllegalStateException("a callback that fails");
		}));
		loop.execute(abandonable(() -> ran.set(true), told::complete));
		// a zero budget: the deadline has passed when the loop looks at its queue again
		CompletableFuture<Void> terminated = loop.shutdownGracefully(Duration.ZERO);
		held.release();
		terminated.get(30, TimeUnit.SECONDS);
		assertThat(told).succeedsWithin(Duration.ZERO)
			.satisfies((cause) -> assertThat(cause).hasMessageContaining("Event loop 'abandoning' shut down before"));
		assertThat(ran).isFalse();
		assertThat(loop.stats().tasks().abandoned()).isEqualTo(2);
	}

	private static AbandonableTask abandonable(Runnable run, Consumer<RejectedExecutionException> abandoned) {
		return new AbandonableTask() {

			@Override
			public void run() {
				run.run();
			}

			@Override
			public void abandoned(RejectedExecutionException cause) {
				abandoned.accept(cause);
			}

		};
	}

	@Test
	void shutdownWithinBudgetRunsEverythingQueued() throws Exception {
		EventLoop loop = EventLoop.builder("full-drain").build();
		LongAdder ran = new LongAdder();
		for (int i = 0; i < 10_000; i++) {
			loop.execute(ran::increment);
		}
		loop.shutdownGracefully(Duration.ofSeconds(30)).get(30, TimeUnit.SECONDS);
		assertThat(ran.sum()).isEqualTo(10_000);
		assertThat(loop.stats().tasks().abandoned()).isZero();
	}

	@Test
	void watchdogMarksALoopStalledByABusyTaskWithItsStackAndClearsTheMarkAfterwards() throws Exception {
		EventLoop loop = track(EventLoop.builder("stalling")
			.stallThreshold(Duration.ofMillis(100))
			.lagProbeInterval(Duration.ofMillis(10))
			.build());
		AtomicBoolean release = new AtomicBoolean();
		loop.execute(() -> busyOperation(release));
		await().atMost(Duration.ofSeconds(10)).until(() -> loop.stats().stall().stalled());
		LoopStats stalled = loop.stats();
		assertThat(stalled.stall().blocked()).isFalse();
		assertThat(stalled.stall().since()).isNotNull();
		assertThat(stalled.stall().stalledFor()).isGreaterThanOrEqualTo(Duration.ofMillis(100));
		// the probe cannot run while the task holds the loop, yet its lag and the loop's
		// utilisation already show the stall
		assertThat(stalled.lag().last()).isGreaterThanOrEqualTo(Duration.ofMillis(50));
		assertThat(stalled.lag().max()).isGreaterThanOrEqualTo(stalled.lag().last());
		assertThat(stalled.utilization()).isEqualTo(1.0);
		assertThat(stalled.stall().stackTrace())
			.anySatisfy((frame) -> assertThat(frame.getMethodName()).isEqualTo("busyOperation"));
		release.set(true);
		await().atMost(Duration.ofSeconds(10)).until(() -> !loop.stats().stall().stalled());
		assertThat(loop.stats().stall().stackTrace()).isEmpty();
	}

	private static void busyOperation(AtomicBoolean release) {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (!release.get() && System.nanoTime() - deadline < 0) {
			Thread.onSpinWait();
		}
	}

	@Test
	void watchdogReportsATaskThatKeepsTheLoopWaitingAsBlockedBeforeTheStallThreshold() throws Exception {
		EventLoop loop = track(EventLoop.builder("waiting").stallThreshold(Duration.ofSeconds(20)).build());
		CountDownLatch release = new CountDownLatch(1);
		loop.execute(() -> blockingOperation(release));
		await().atMost(Duration.ofSeconds(10)).until(() -> loop.stats().stall().blocked());
		LoopStats blocked = loop.stats();
		assertThat(blocked.stall().stalled()).isTrue();
		assertThat(blocked.stall().stalledFor()).isLessThan(loop.stallThreshold());
		assertThat(blocked.stall().stackTrace())
			.anySatisfy((frame) -> assertThat(frame.getMethodName()).isEqualTo("blockingOperation"));
		release.countDown();
		await().atMost(Duration.ofSeconds(10)).until(() -> !loop.stats().stall().stalled());
		assertThat(loop.stats().stall().blocked()).isFalse();
	}

	private static void blockingOperation(CountDownLatch release) {
		awaitQuietly(release);
	}

	@Test
	void boundedQueueRejectsWhenFullAndLoopThreadsNeverWait() throws Exception {
		EventLoop loop = track(EventLoop.builder("bounded").queueCapacity(4).build());
		EventLoop other = track(EventLoop.builder("other").build());
		CountDownLatch release = occupy(loop);
		for (int i = 0; i < 4; i++) {
			loop.execute(() -> {
			});
		}
		assertThatExceptionOfType(RejectedExecutionException.class).isThrownBy(() -> loop.execute(() -> {
		})).withMessageContaining("'bounded'").withMessageContaining("queue is full (4 tasks)");
		CompletableFuture<Object> fromLoop = other.submit(() -> loop.submit(() -> "never"))
			.get(5, TimeUnit.SECONDS)
			.thenApply((x) -> x);
		assertThat(fromLoop).failsWithin(Duration.ofSeconds(5))
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(RejectedExecutionException.class);
		release.countDown();
		await().atMost(Duration.ofSeconds(5)).until(() -> loop.stats().queue().size() == 0);
		assertThat(loop.submit(() -> "space again").get(5, TimeUnit.SECONDS)).isEqualTo("space again");
		assertThat(loop.stats().tasks().rejected()).isEqualTo(2);
		assertThat(loop.stats().queue().capacity()).isEqualTo(4);
	}

	@Test
	void boundedQueueWithSubmitTimeoutWaitsForSpace() throws Exception {
		EventLoop loop = track(
				EventLoop.builder("waiting").queueCapacity(1).submitTimeout(Duration.ofSeconds(10)).build());
		CountDownLatch release = occupy(loop);
		loop.execute(() -> {
		});
		CompletableFuture<String> blockedProducer = CompletableFuture
			.supplyAsync(() -> loop.submit(() -> "accepted").join());
		release.countDown();
		assertThat(blockedProducer.get(10, TimeUnit.SECONDS)).isEqualTo("accepted");
		assertThat(loop.stats().tasks().rejected()).isZero();
	}

	@Test
	void manyProducersAndLoopsRunEveryTaskExactlyOnce() throws Exception {
		EventLoopGroup group = EventLoopGroup.builder("stress").threads(4).build();
		this.groups.add(group);
		int producers = 6;
		int perProducer = 100_000;
		int[] counts = new int[producers * perProducer];
		CountDownLatch produced = new CountDownLatch(producers);
		for (int p = 0; p < producers; p++) {
			int producer = p;
			new Thread(() -> {
				for (int i = 0; i < perProducer; i++) {
					int id = producer * perProducer + i;
					EventLoop loop = group.forKey(id);
					// each id is owned by one loop, so its
					// slot is only written by that loop
					loop.execute(() -> counts[id]++);
				}
				produced.countDown();
			}, "producer-" + p).start();
		}
		assertThat(produced.await(60, TimeUnit.SECONDS)).isTrue();
		for (EventLoop loop : group.loops()) {
			loop.submit(() -> null).get(60, TimeUnit.SECONDS);
		}
		int[] snapshot = group.loops().get(0).submit(counts::clone).get(5, TimeUnit.SECONDS);
		assertThat(snapshot).containsOnly(1);
		long completed = group.loops().stream().mapToLong((loop) -> loop.stats().tasks().completed()).sum();
		assertThat(completed).isEqualTo((long) producers * perProducer + group.size() + 1);
	}

	@Test
	void timersCancelledFromAnotherThreadLeaveTheHeapLongBeforeTheirDeadline() throws Exception {
		EventLoop loop = track(EventLoop.builder("timers").build());
		int count = 1_000_000;
		List<LoopFuture<Void>> futures = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			futures.add(loop.schedule(() -> {
			}, Duration.ofHours(1)));
		}
		loop.submit(() -> null).get(30, TimeUnit.SECONDS); // every timer is armed now
		assertThat(loop.timers().size()).isEqualTo(count);
		for (LoopFuture<Void> future : futures) {
			assertThat(future.cancel(false)).isTrue();
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> loop.timers().size() < 64);
		// cancelling is cheap: the cancellation kept by the future has no stack trace
		Throwable cancellation = futures.get(0).handle((value, ex) -> ex).get(5, TimeUnit.SECONDS);
		assertThat(cancellation).isInstanceOf(CancellationException.class);
		assertThat(cancellation.getStackTrace()).isEmpty();
		assertThat(futures.get(count - 1).isCancelled()).isTrue();
	}

	@Test
	void timersCancelledOnTheLoopLeaveTheHeapAtOnce() throws Exception {
		EventLoop loop = track(EventLoop.builder("timers").build());
		int[] pending = loop.submit(() -> {
			List<LoopFuture<Void>> futures = new ArrayList<>();
			for (int i = 0; i < 1000; i++) {
				futures.add(loop.schedule(() -> {
				}, Duration.ofHours(1)));
			}
			int before = loop.timers().size();
			futures.forEach((future) -> future.cancel(false));
			return new int[] { before, loop.timers().size() };
		}).get(30, TimeUnit.SECONDS);
		assertThat(pending).containsExactly(1000, 0);
	}

	@Test
	void anIdleLoopParksWithoutATimeoutAndReportsNoLag() throws Exception {
		EventLoop loop = track(EventLoop.builder("idle").lagProbeInterval(Duration.ofMillis(1)).build());
		loop.submit(() -> null).get(30, TimeUnit.SECONDS);
		// parked until work arrives: the lag probe does not wake an idle loop
		await().atMost(Duration.ofSeconds(10)).until(() -> loop.thread().getState() == Thread.State.WAITING);
		LoopStats idle = loop.stats();
		assertThat(idle.lag().last()).isLessThan(Duration.ofMillis(100));
		assertThat(idle.lag().lagging()).isFalse();
		assertThat(loop.submit(() -> "awake").get(30, TimeUnit.SECONDS)).isEqualTo("awake");
		// with a timer armed it parks until the timer is due
		loop.schedule(() -> {
		}, Duration.ofHours(1));
		await().atMost(Duration.ofSeconds(10))
			.until(() -> loop.thread().getState() == Thread.State.TIMED_WAITING && loop.timers().size() == 1);
	}

	@Test
	void aGroupOfAThousandLoopsStartsServesAndStops() throws Exception {
		EventLoopGroup group = EventLoopGroup.builder("many").threads(1000).build();
		this.groups.add(group);
		List<LoopFuture<String>> answers = new ArrayList<>();
		for (EventLoop loop : group.loops()) {
			answers.add(loop.submit(() -> Thread.currentThread().getName()));
		}
		for (int i = 0; i < answers.size(); i++) {
			assertThat(answers.get(i).get(60, TimeUnit.SECONDS)).isEqualTo("many-" + i);
		}
		group.shutdownGracefully(Duration.ofSeconds(30)).get(60, TimeUnit.SECONDS);
		assertThat(group.loops()).allSatisfy((loop) -> assertThat(loop.state()).isEqualTo(LoopState.TERMINATED));
	}

	@Test
	void groupsWithManyMoreLoopsThanProcessorsAreReported() {
		assertThat(MultiLoopGroup.warnIfOversized("many", 1000, 2)).isTrue();
		assertThat(MultiLoopGroup.warnIfOversized("fits", 16, 2)).isFalse();
	}

	@Test
	void aFailureOfTheLoopsOwnMachineryKillsTheLoopWhichIsReportedDead() throws Exception {
		EventLoop loop = track(EventLoop.builder("doomed").build());
		InternalError machineryFailure = new InternalError("the loop's own code failed");
		CountDownLatch release = new CountDownLatch(1);
		loop.execute(() -> awaitQuietly(release));
		// delivering a result is the loop's own work, outside the task
		loop.execute(HeldLoop.failingToDeliver(machineryFailure));
		LoopFuture<String> behind = loop.submit(() -> "never");
		release.countDown();
		loop.terminationFuture().get(30, TimeUnit.SECONDS);
		LoopStats stats = loop.stats();
		assertThat(stats.state()).isEqualTo(LoopState.TERMINATED);
		assertThat(stats.died()).isTrue();
		assertThat(stats.death().cause()).isSameAs(machineryFailure);
		assertThat(stats.death().at()).isNotNull();
		assertThat(behind).failsWithin(Duration.ofSeconds(5))
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(RejectedExecutionException.class);
		assertThat(stats.tasks().abandoned()).isEqualTo(1);
	}

	/**
	 * Hold the loop in one task until the returned latch is released.
	 */
	private static CountDownLatch occupy(EventLoop loop) throws InterruptedException {
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch started = new CountDownLatch(1);
		loop.execute(() -> {
			started.countDown();
			awaitQuietly(release);
		});
		assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
		return release;
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
