package dev.eventloop.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import dev.eventloop.EventLoop;
import dev.eventloop.LoopFuture;
import dev.eventloop.LoopState;
import dev.eventloop.LoopStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Faults inside tasks: exceptions, errors, stack overflow, self-interruption, a task that
 * blocks past the stall threshold and one that never returns. The loop survives what it
 * can survive, reports what it cannot, and loses no future.
 */
@Timeout(120)
class FaultTests {

	private static final Duration BOUND = Duration.ofSeconds(30);

	private final List<EventLoop> loops = new ArrayList<>();

	private final List<Throwable> uncaught = new java.util.concurrent.CopyOnWriteArrayList<>();

	// released at the end of each test, so that no task outlives it
	private final CountDownLatch release = new CountDownLatch(1);

	@AfterEach
	void shutdownLoops() {
		this.release.countDown();
		this.loops.forEach((loop) -> loop.shutdownGracefully(Duration.ZERO));
	}

	@Test
	void runtimeExceptionFailsItsFutureAndTheLoopRunsOn() throws Exception {
		EventLoop loop = loop("faults");
		IllegalStateException boom = new IllegalStateException("boom");
		LoopFuture<Object> failing = loop.submit(() -> {
			throw boom;
		});
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> failing.get(30, TimeUnit.SECONDS))
			.withCause(boom);
		assertThat(loop.submit(() -> "still running").get(30, TimeUnit.SECONDS)).isEqualTo("still running");
		assertHealthy(loop, 1, 1);
	}

	@Test
	void errorFailsItsFutureAndTheLoopRunsOn() throws Exception {
		EventLoop loop = loop("faults");
		AssertionError error = new AssertionError("an error, not an exception");
		LoopFuture<Object> failing = loop.submit(() -> {
			throw error;
		});
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> failing.get(30, TimeUnit.SECONDS))
			.withCause(error);
		assertThat(loop.submit(() -> "still running").get(30, TimeUnit.SECONDS)).isEqualTo("still running");
		assertHealthy(loop, 1, 1);
	}

	@Test
	void failuresOfTasksWithoutAFutureReachTheUncaughtHandlerAndTheLoopRunsOn() throws Exception {
		EventLoop loop = loop("faults");
		RuntimeException exception = new RuntimeException("from execute");
		Error error = new LinkageError("error from execute");
		loop.execute(() -> {
			throw exception;
		});
		loop.execute(() -> {
			throw error;
		});
		assertThat(loop.submit(() -> "still running").get(30, TimeUnit.SECONDS)).isEqualTo("still running");
		assertThat(this.uncaught).containsExactly(exception, error);
		assertHealthy(loop, 2, 1);
	}

	@Test
	void stackOverflowFailsItsFutureAndTheLoopRunsOn() throws Exception {
		EventLoop loop = loop("faults");
		LoopFuture<Integer> overflowing = loop.submit(() -> recurse(0));
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> overflowing.get(30, TimeUnit.SECONDS))
			.withCauseInstanceOf(StackOverflowError.class);
		// the loop thread's stack is usable again: a deep but finite recursion works
		assertThat(loop.submit(() -> depth(1_000)).get(30, TimeUnit.SECONDS)).isEqualTo(1_000);
		assertHealthy(loop, 1, 1);
	}

	@Test
	void aTaskThatInterruptsItsOwnThreadDoesNotInterruptTheNextTask() throws Exception {
		EventLoop loop = loop("faults");
		LoopFuture<Object> interrupting = loop.submit(() -> {
			Thread.currentThread().interrupt();
			// a blocking wait on an interrupted thread throws at once
			new CountDownLatch(1).await(60, TimeUnit.SECONDS);
			return "slept";
		});
		LoopFuture<Boolean> leftInterrupted = loop.submit(() -> {
			Thread.currentThread().interrupt();
			return Thread.currentThread().isInterrupted();
		});
		LoopFuture<Boolean> next = loop.submit(() -> Thread.currentThread().isInterrupted());
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> interrupting.get(30, TimeUnit.SECONDS))
			.withCauseInstanceOf(InterruptedException.class);
		assertThat(leftInterrupted.get(30, TimeUnit.SECONDS)).isTrue();
		assertThat(next.get(30, TimeUnit.SECONDS)).isFalse();
		// the loop still parks when idle and wakes for timers and new work
		LoopFuture<Void> timer = loop.schedule(() -> {
		}, Duration.ofMillis(20));
		timer.get(30, TimeUnit.SECONDS);
		assertThat(loop.submit(() -> Thread.currentThread().isInterrupted()).get(30, TimeUnit.SECONDS)).isFalse();
		assertHealthy(loop, 1, 1);
	}

	@Test
	void aTaskBlockingPastTheStallThresholdIsReportedStalledUntilItReturns() throws Exception {
		EventLoop loop = loop("stalling");
		CountDownLatch started = new CountDownLatch(1);
		LoopFuture<String> blocking = loop.submit(() -> {
			started.countDown();
			blockUntilReleased(this.release);
			return "returned";
		});
		LoopFuture<String> behind = loop.submit(() -> "behind");
		assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();

		await().atMost(BOUND).until(() -> loop.stats().stall().stalled());
		LoopStats stalled = loop.stats();
		assertThat(stalled.state()).isEqualTo(LoopState.RUNNING);
		assertThat(stalled.stall().since()).isNotNull();
		assertThat(stalled.stall().stalledFor()).isPositive();
		assertThat(stalled.stall().stackTrace())
			.anySatisfy((frame) -> assertThat(frame.getMethodName()).isEqualTo("blockUntilReleased"));
		assertThat(behind).isNotDone();

		this.release.countDown();
		assertThat(blocking.get(30, TimeUnit.SECONDS)).isEqualTo("returned");
		assertThat(behind.get(30, TimeUnit.SECONDS)).isEqualTo("behind");
		await().atMost(BOUND).until(() -> !loop.stats().stall().stalled());
		assertThat(loop.stats().stall().stackTrace()).isEmpty();
		assertHealthy(loop, 0, 0);
	}

	@Test
	void aTaskThatNeverReturnsIsReportedAndShutdownFailsTheOthersAfterItsTimeout() throws Exception {
		EventLoop loop = loop("stuck");
		AtomicInteger interrupts = new AtomicInteger();
		CountDownLatch started = new CountDownLatch(1);
		LoopFuture<String> stuck = loop.submit(() -> {
			started.countDown();
			neverReturn(this.release, interrupts);
			return "returned after the test";
		});
		List<LoopFuture<String>> queued = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			int index = i;
			queued.add(loop.submit(() -> "queued " + index));
		}
		LoopFuture<Void> timer = loop.schedule(() -> {
		}, Duration.ofHours(1));
		assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
		await().atMost(BOUND).until(() -> loop.stats().stall().stalled());

		try (LogCapture log = LogCapture.of(EventLoop.class)) {
			CompletableFuture<Void> termination = loop.shutdownGracefully(Duration.ofMillis(100));
			assertThat(loop.submit(() -> "during shutdown")).isCompletedExceptionally();
			termination.get(30, TimeUnit.SECONDS);

			assertThat(loop.state()).isEqualTo(LoopState.TERMINATED);
			for (LoopFuture<String> future : queued) {
				assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> future.get(0, TimeUnit.SECONDS))
					.withCauseInstanceOf(RejectedExecutionException.class)
					.withMessageContaining("'stuck' shut down before this task ran");
			}
			// the timer never reached the stuck loop's
			// timer heap: abandoned with the rest
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> timer.get(0, TimeUnit.SECONDS))
				.withCauseInstanceOf(RejectedExecutionException.class);
			assertThat(loop.stats().tasks().abandoned()).isEqualTo(11);
			assertThat(stuck).isNotDone();
			// the stuck task is reported with its stack, and its thread is interrupted
			List<LogRecord> reports = log.containing("did not finish a task before its shutdown timeout");
			assertThat(reports).singleElement().satisfies((record) -> {
				assertThat(record.getLevel()).isEqualTo(Level.SEVERE);
				assertThat(record.getMessage()).contains("'stuck'").contains("11 queued tasks were abandoned");
				assertThat(Arrays.asList(record.getThrown().getStackTrace()))
					.anySatisfy((frame) -> assertThat(frame.getMethodName()).isEqualTo("neverReturn"));
			});
			await().atMost(BOUND).until(() -> interrupts.get() > 0);
		}
		assertThatExceptionOfType(RejectedExecutionException.class).isThrownBy(() -> loop.execute(() -> {
		})).withMessageContaining("'stuck' is TERMINATED");

		this.release.countDown();
		assertThat(stuck.get(30, TimeUnit.SECONDS)).isEqualTo("returned after the test");
	}

	@Test
	void aVirtualMachineErrorThrownByATaskFailsOnlyThatTask() throws Exception {
		EventLoop loop = loop("survivor");
		InternalError fatal = new InternalError("a virtual-machine error");
		LoopFuture<Object> failing = loop.submit(() -> {
			throw fatal;
		});
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> failing.get(30, TimeUnit.SECONDS))
			.withCause(fatal);
		assertThat(loop.submit(() -> "still running").get(30, TimeUnit.SECONDS)).isEqualTo("still running");
		assertHealthy(loop, 1, 1);
	}

	@Test
	void anOutOfMemoryErrorThatTheJvmSurvivesFailsOnlyItsTask() throws Exception {
		EventLoop loop = loop("survivor");
		LoopFuture<long[]> huge = loop.submit(() -> new long[Integer.MAX_VALUE]);
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> huge.get(30, TimeUnit.SECONDS))
			.withCauseInstanceOf(OutOfMemoryError.class);
		loop.execute(() -> {
			throw new OutOfMemoryError("from execute");
		});
		assertThat(loop.submit(() -> "still running").get(30, TimeUnit.SECONDS)).isEqualTo("still running");
		assertThat(this.uncaught).singleElement().isInstanceOf(OutOfMemoryError.class);
		assertHealthy(loop, 2, 1);
	}

	@Test
	void aLagListenerThatThrowsAnErrorIsLoggedAndTheLoopAndOtherListenersRunOn() throws Exception {
		EventLoop loop = EventLoop.builder("listened").daemon(true).lagProbeInterval(Duration.ofMillis(5)).build();
		this.loops.add(loop);
		CountDownLatch samples = new CountDownLatch(5);
		try (LogCapture log = LogCapture.of(EventLoop.class)) {
			loop.addLagListener((lag) -> {
				throw new AssertionError("listener bug");
			});
			loop.addLagListener((lag) -> samples.countDown());
			// keep the loop busy enough that the probe runs (an idle loop is not probed)
			AtomicInteger ticks = new AtomicInteger();
			LoopFuture<Void> ticking = loop.scheduleAtFixedRate(ticks::incrementAndGet, Duration.ZERO,
					Duration.ofMillis(1));
			assertThat(samples.await(30, TimeUnit.SECONDS)).isTrue();
			ticking.cancel(false);
			assertThat(log.containing("Lag listener of event loop 'listened' failed")).isNotEmpty();
		}
		assertThat(loop.submit(() -> "alive").get(30, TimeUnit.SECONDS)).isEqualTo("alive");
		assertThat(loop.stats().died()).isFalse();
	}

	@Test
	void armedTimersOfALoopTerminatedWithoutItsStuckTaskComplete() throws Exception {
		EventLoop loop = loop("stuck-with-timers");
		LoopFuture<Void> armed = loop.schedule(() -> {
		}, Duration.ofHours(1));
		LoopFuture<Void> periodic = loop.scheduleAtFixedRate(() -> {
		}, Duration.ofHours(1), Duration.ofHours(1));
		// both are in the timer heap now
		loop.submit(() -> null).get(30, TimeUnit.SECONDS);
		CountDownLatch started = new CountDownLatch(1);
		loop.execute(() -> {
			started.countDown();
			neverReturn(this.release, new AtomicInteger());
		});
		assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
		await().atMost(BOUND).until(() -> loop.stats().stall().stalled());
		loop.shutdownGracefully(Duration.ofMillis(100)).get(30, TimeUnit.SECONDS);
		assertThat(loop.state()).isEqualTo(LoopState.TERMINATED);
		assertThat(armed.handle((value, ex) -> ex).get(5, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class)
			.hasMessageContaining("'stuck-with-timers' shut down before this scheduled task was due");
		assertThat(periodic).isCompletedExceptionally();
		assertThat(loop.stats().tasks().abandoned()).isEqualTo(2);
	}

	private EventLoop loop(String name) {
		EventLoop loop = EventLoop.builder(name)
			.daemon(true)
			.stallThreshold(Duration.ofMillis(100))
			.uncaughtExceptionHandler((thread, ex) -> this.uncaught.add(ex))
			.build();
		this.loops.add(loop);
		return loop;
	}

	private static void assertHealthy(EventLoop loop, long failed, long minimumCompleted) {
		await().atMost(BOUND).until(() -> !loop.stats().stall().stalled());
		LoopStats stats = loop.stats();
		assertThat(stats.state()).isEqualTo(LoopState.RUNNING);
		assertThat(stats.died()).isFalse();
		assertThat(stats.tasks().failed()).isEqualTo(failed);
		assertThat(stats.tasks().completed()).isGreaterThanOrEqualTo(minimumCompleted);
	}

	private static int recurse(int depth) {
		return recurse(depth + 1) + 1;
	}

	private static int depth(int remaining) {
		return (remaining == 0) ? 0 : depth(remaining - 1) + 1;
	}

	/**
	 * Block until released; an interrupt does not end the wait.
	 */
	private static void blockUntilReleased(CountDownLatch release) {
		boolean interrupted = false;
		try {
			while (true) {
				try {
					if (release.await(60, TimeUnit.SECONDS)) {
						return;
					}
				}
				catch (InterruptedException ex) {
					interrupted = true;
				}
			}
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/**
	 * Never return while the test runs, whatever happens to the thread: interrupts are
	 * counted and ignored. Released when the test ends.
	 */
	private static void neverReturn(CountDownLatch release, AtomicInteger interrupts) {
		while (true) {
			try {
				if (release.await(60, TimeUnit.SECONDS)) {
					return;
				}
			}
			catch (InterruptedException ex) {
				interrupts.incrementAndGet();
			}
		}
	}

}
