package dev.eventloop.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import dev.eventloop.EventLoop;
import dev.eventloop.LoopFuture;
import dev.eventloop.LoopState;
import dev.eventloop.LoopStats;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random interleavings of submit, execute, schedule, cancel, work submitted from the loop
 * itself, drains and shutdown, with the invariants that hold whatever the order: each
 * future completes exactly once and consistently with whether its task ran; no task runs
 * after the loop has terminated; submissions after shutdown fail fast; and the loop's
 * counters add up.
 */
class InterleavingPropertyTests {

	@Test
	void everyFutureCompletesOnceNoTaskRunsAfterTerminationAndCountsAddUp() {
		PropertyTrials.run(400, (random) -> {
			List<Action> actions = randomActions(random);
			Run run = new Run();
			try {
				for (Action action : actions) {
					run.perform(action);
				}
				run.loop.shutdownGracefully(Duration.ofSeconds(10)).get(30, TimeUnit.SECONDS);
			}
			catch (Exception ex) {
				throw new IllegalStateException("Run of " + actions + " failed", ex);
			}
			finally {
				run.loop.shutdownGracefully(Duration.ZERO);
			}
			run.checkInvariants();
		});
	}

	/**
	 * Between 1 and 60 steps, each kind drawn with its weight, a delay of 0 to 3 ms, and
	 * one task in ten throwing.
	 */
	private static List<Action> randomActions(SplittableRandom random) {
		int[] weights = { 10, 6, 6, 4, 4, 4, 3, 1 };
		int total = 0;
		for (int weight : weights) {
			total += weight;
		}
		int steps = 1 + random.nextInt(60);
		List<Action> actions = new ArrayList<>(steps);
		for (int i = 0; i < steps; i++) {
			int roll = random.nextInt(total);
			int kind = 0;
			while (roll >= weights[kind]) {
				roll -= weights[kind];
				kind++;
			}
			actions.add(new Action(Kind.values()[kind], random.nextInt(4), random.nextInt(10) == 0));
		}
		return actions;
	}

	enum Kind {

		SUBMIT, EXECUTE, SCHEDULE, SUBMIT_THEN_CANCEL, SCHEDULE_THEN_CANCEL, SUBMIT_FROM_LOOP, DRAIN, SHUTDOWN

	}

	/**
	 * One step: what to do, a delay or shutdown budget in milliseconds, and whether the
	 * task throws.
	 */
	record Action(Kind kind, int millis, boolean throwing) {
	}

	/**
	 * A task created by the run, and what became of it.
	 */
	static final class Tracked {

		final String description;

		final boolean throwing;

		final boolean scheduled;

		// set by whoever submits the task, before any other thread reads it
		volatile boolean accepted;

		volatile boolean submittedAfterShutdown;

		volatile boolean fromLoop;

		volatile boolean cancelled;

		volatile CompletableFuture<?> future;

		// the number of runs of the task's body: any thread
		final AtomicInteger runs = new AtomicInteger();

		// the number of outcomes its future reported: any thread
		final AtomicInteger outcomes = new AtomicInteger();

		Tracked(String description, boolean throwing, boolean scheduled) {
			this.description = description;
			this.throwing = throwing;
			this.scheduled = scheduled;
		}

		@Override
		public String toString() {
			return this.description + "[accepted=" + this.accepted + ", cancelled=" + this.cancelled + ", runs="
					+ this.runs + ", future=" + this.future + "]";
		}

	}

	/**
	 * One loop driven by one sequence of actions.
	 */
	static final class Run {

		final EventLoop loop;

		final List<Tracked> tracked = new CopyOnWriteArrayList<>();

		final List<String> violations = new CopyOnWriteArrayList<>();

		final AtomicBoolean terminated = new AtomicBoolean();

		final LongAdder uncaught = new LongAdder();

		// test thread only
		boolean shutdownRequested;

		// test thread only: marker tasks submitted to wait for the queue to drain
		long drains;

		Run() {
			this.loop = EventLoop.builder("interleaved")
				.daemon(true)
				.stallThreshold(Duration.ofSeconds(60))
				.uncaughtExceptionHandler((thread, ex) -> this.uncaught.increment())
				.build();
			this.loop.terminationFuture().whenComplete((value, ex) -> this.terminated.set(true));
		}

		void perform(Action action) throws Exception {
			switch (action.kind()) {
				case SUBMIT -> submit(action, false);
				case SUBMIT_THEN_CANCEL -> submit(action, true);
				case EXECUTE -> execute(action);
				case SCHEDULE -> schedule(action, false);
				case SCHEDULE_THEN_CANCEL -> schedule(action, true);
				case SUBMIT_FROM_LOOP -> submitFromLoop(action);
				case DRAIN -> drain();
				case SHUTDOWN -> {
					this.shutdownRequested = true;
					this.loop.shutdownGracefully(Duration.ofMillis(action.millis()));
				}
			}
		}

		private Tracked track(String description, boolean throwing, boolean scheduled) {
			Tracked task = new Tracked(description + "#" + this.tracked.size(), throwing, scheduled);
			task.submittedAfterShutdown = this.shutdownRequested;
			task.fromLoop = this.loop.inLoop();
			this.tracked.add(task);
			return task;
		}

		private void body(Tracked task) {
			task.runs.incrementAndGet();
			if (this.terminated.get() || this.loop.state() == LoopState.TERMINATED) {
				this.violations.add(task + " ran after the loop terminated");
			}
			if (task.throwing) {
				throw new IllegalStateException("thrown on purpose by " + task.description);
			}
		}

		private void observe(Tracked task, CompletableFuture<?> future) {
			task.future = future;
			task.accepted = !(future.isCompletedExceptionally()
					&& future.handle((value, ex) -> ex).join() instanceof RejectedExecutionException
					&& task.runs.get() == 0);
			future.whenComplete((value, ex) -> task.outcomes.incrementAndGet());
		}

		private void submit(Action action, boolean cancel) {
			Tracked task = track(cancel ? "submit-then-cancel" : "submit", action.throwing(), false);
			LoopFuture<String> future = this.loop.submit(() -> {
				body(task);
				return "done";
			});
			observe(task, future);
			if (cancel) {
				task.cancelled = future.cancel(false);
			}
		}

		private void execute(Action action) {
			Tracked task = track("execute", action.throwing(), false);
			try {
				this.loop.execute(() -> body(task));
				task.accepted = true;
			}
			catch (RejectedExecutionException ex) {
				task.accepted = false;
			}
		}

		private void schedule(Action action, boolean cancel) {
			Tracked task = track(cancel ? "schedule-then-cancel" : "schedule", action.throwing(), true);
			LoopFuture<Void> future = this.loop.schedule(() -> body(task), Duration.ofMillis(action.millis()));
			observe(task, future);
			if (cancel) {
				task.cancelled = future.cancel(false);
			}
		}

		/**
		 * A task that, on the loop, submits one task and schedules another on the same
		 * loop: the in-loop paths, which skip the cross-thread queue for timers.
		 */
		private void submitFromLoop(Action action) {
			Tracked outer = track("submit-from-loop", false, false);
			LoopFuture<String> future = this.loop.submit(() -> {
				body(outer);
				Tracked inner = track("submitted-on-loop", action.throwing(), false);
				observe(inner, this.loop.submit(() -> {
					body(inner);
					return "inner";
				}));
				Tracked timer = track("scheduled-on-loop", false, true);
				observe(timer, this.loop.schedule(() -> body(timer), Duration.ofMillis(action.millis())));
				return "outer";
			});
			observe(outer, future);
		}

		private void drain() throws Exception {
			if (!this.shutdownRequested) {
				this.drains++;
				this.loop.submit(() -> "drained").get(30, TimeUnit.SECONDS);
			}
		}

		void checkInvariants() {
			assertThat(this.loop.state()).isEqualTo(LoopState.TERMINATED);
			assertThat(this.violations).isEmpty();
			long accepted = 0;
			long rejected = 0;
			long throwingRuns = 0;
			long throwingExecuteRuns = 0;
			long plainRuns = 0;
			long cancelledSubmits = 0;
			long cancelledTimers = 0;
			for (Tracked task : this.tracked) {
				int runs = task.runs.get();
				assertThat(runs).as("runs of %s", task).isLessThanOrEqualTo(1);
				if (!task.accepted) {
					rejected++;
					assertThat(runs).as("a rejected task ran: %s", task).isZero();
				}
				else {
					accepted++;
				}
				if (!task.fromLoop) {
					// submissions fail fast exactly when shutdown has begun
					assertThat(task.accepted).as("accepted: %s", task).isEqualTo(!task.submittedAfterShutdown);
				}
				if (runs == 1) {
					if (task.throwing) {
						throwingRuns++;
						if (task.future == null) {
							throwingExecuteRuns++;
						}
					}
					else {
						plainRuns++;
					}
				}
				if (task.cancelled) {
					if (task.scheduled) {
						cancelledTimers++;
					}
					else {
						cancelledSubmits++;
					}
				}
				CompletableFuture<?> future = task.future;
				if (future == null) {
					continue; // execute: no future
				}
				assertThat(future).as("future of %s", task).isDone();
				assertThat(task.outcomes.get()).as("outcomes of %s", task).isEqualTo(1);
				Throwable failure = future.handle((value, ex) -> ex).join();
				if (task.cancelled) {
					assertThat(future.isCancelled()).as("cancelled %s", task).isTrue();
				}
				else if (runs == 1) {
					// it ran: the future carries the task's own outcome, nothing else
					if (task.throwing) {
						assertThat(failure).as("failure of %s", task).isInstanceOf(IllegalStateException.class);
					}
					else {
						assertThat(failure).as("failure of %s", task).isNull();
					}
				}
				else {
					// it never ran: refused, abandoned, or
					// (a timer) cancelled by the shutdown
					assertThat(failure).as("failure of %s", task)
						.isInstanceOfAny(RejectedExecutionException.class, CancellationException.class);
					if (failure instanceof CancellationException) {
						assertThat(task.scheduled).as("cancelled by shutdown: %s", task).isTrue();
					}
				}
			}
			LoopStats stats = this.loop.stats();
			long accounted = stats.tasks().completed() + stats.tasks().failed() + stats.tasks().abandoned();
			assertThat(stats.tasks().rejected()).isEqualTo(rejected);
			assertThat(stats.tasks().submitted()).isEqualTo(accepted + this.drains);
			assertThat(stats.tasks().failed()).isEqualTo(throwingRuns);
			assertThat(this.uncaught.sum()).isEqualTo(throwingExecuteRuns);
			// a submitted task cancelled before it ran still passes through the loop once
			assertThat(stats.tasks().completed() - this.drains).isBetween(plainRuns, plainRuns + cancelledSubmits);
			// a timer cancelled by its caller is dropped unseen once armed
			assertThat(stats.tasks().submitted()).isBetween(accounted, accounted + cancelledTimers);
		}

	}

}
