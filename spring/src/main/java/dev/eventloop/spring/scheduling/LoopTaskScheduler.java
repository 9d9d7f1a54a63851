package dev.eventloop.spring.scheduling;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.eventloop.EventLoop;
import dev.eventloop.LoopFuture;
import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.Trigger;
import org.springframework.scheduling.support.SimpleTriggerContext;
import org.springframework.scheduling.support.TaskUtils;

/**
 * A {@link TaskScheduler} over one loop's own timers, so that scheduled work runs on the
 * loop, confined with the rest of its state. As with Spring's schedulers, a repeating
 * task that throws is logged and runs again; a one-off task's failure is logged.
 */
final class LoopTaskScheduler implements TaskScheduler {

	private final EventLoop loop;

	private final Clock clock = Clock.systemDefaultZone();

	LoopTaskScheduler(EventLoop loop) {
		this.loop = loop;
	}

	EventLoop loop() {
		return this.loop;
	}

	@Override
	public Clock getClock() {
		return this.clock;
	}

	@Override
	public @Nullable ScheduledFuture<?> schedule(Runnable task, Trigger trigger) {
		TriggeredTask triggered = new TriggeredTask(TaskUtils.decorateTaskWithErrorHandler(task, null, true), trigger);
		return triggered.scheduleNext() ? triggered : null;
	}

	@Override
	public ScheduledFuture<?> schedule(Runnable task, Instant startTime) {
		Duration delay = delayUntil(startTime);
		return new LoopScheduledFuture(
				this.loop.schedule(TaskUtils.decorateTaskWithErrorHandler(task, null, false), delay), deadline(delay));
	}

	@Override
	public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, Instant startTime, Duration period) {
		Duration delay = delayUntil(startTime);
		return new LoopScheduledFuture(this.loop.scheduleAtFixedRate(repeating(task), delay, period), deadline(delay));
	}

	@Override
	public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, Duration period) {
		return new LoopScheduledFuture(this.loop.scheduleAtFixedRate(repeating(task), Duration.ZERO, period),
				deadline(Duration.ZERO));
	}

	@Override
	public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Instant startTime, Duration delay) {
		Duration initialDelay = delayUntil(startTime);
		return new LoopScheduledFuture(this.loop.scheduleWithFixedDelay(repeating(task), initialDelay, delay),
				deadline(initialDelay));
	}

	@Override
	public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Duration delay) {
		return new LoopScheduledFuture(this.loop.scheduleWithFixedDelay(repeating(task), Duration.ZERO, delay),
				deadline(Duration.ZERO));
	}

	private static Runnable repeating(Runnable task) {
		return TaskUtils.decorateTaskWithErrorHandler(task, null, true);
	}

	private Duration delayUntil(Instant startTime) {
		Duration delay = Duration.between(this.clock.instant(), startTime);
		return delay.isNegative() ? Duration.ZERO : delay;
	}

	private static long deadline(Duration delay) {
		return System.nanoTime() + delay.toNanos();
	}

	@Override
	public String toString() {
		return "LoopTaskScheduler[" + this.loop.name() + "]";
	}

	/**
	 * A {@link ScheduledFuture} over the future of a loop timer.
	 */
	private static class LoopScheduledFuture implements ScheduledFuture<Object> {

		// any thread: the timer's future; replaced by the loop thread for triggered tasks
		volatile CompletableFuture<Void> future;

		// any thread: System.nanoTime() of the next run
		volatile long deadlineNanos;

		LoopScheduledFuture(CompletableFuture<Void> future, long deadlineNanos) {
			this.future = future;
			this.deadlineNanos = deadlineNanos;
		}

		@Override
		public long getDelay(TimeUnit unit) {
			return unit.convert(this.deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
		}

		@Override
		public int compareTo(Delayed other) {
			return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
		}

		@Override
		public boolean cancel(boolean mayInterruptIfRunning) {
			return this.future.cancel(mayInterruptIfRunning);
		}

		@Override
		public boolean isCancelled() {
			return this.future.isCancelled();
		}

		@Override
		public boolean isDone() {
			return this.future.isDone();
		}

		@Override
		public @Nullable Object get() throws InterruptedException, ExecutionException {
			return this.future.get();
		}

		@Override
		public @Nullable Object get(long timeout, TimeUnit unit)
				throws InterruptedException, ExecutionException, TimeoutException {
			return this.future.get(timeout, unit);
		}

	}

	/**
	 * A task run at the times a {@link Trigger} (a cron expression, for example) gives,
	 * each run scheduled on the loop when the previous one has finished.
	 */
	private final class TriggeredTask extends LoopScheduledFuture implements Runnable {

		private final Runnable task;

		private final Trigger trigger;

		// the loop thread, after the first scheduling by the registering thread
		private final SimpleTriggerContext context = new SimpleTriggerContext(LoopTaskScheduler.this.clock);

		// any thread: set when cancelled, so that no further run is scheduled
		private volatile boolean cancelled;

		// the loop thread: when the current run was due
		private @Nullable Instant scheduled;

		TriggeredTask(Runnable task, Trigger trigger) {
			super(new CompletableFuture<>(), 0);
			this.task = task;
			this.trigger = trigger;
		}

		synchronized boolean scheduleNext() {
			Instant next = this.trigger.nextExecution(this.context);
			if (next == null || this.cancelled) {
				return false;
			}
			this.scheduled = next;
			Duration delay = delayUntil(next);
			this.deadlineNanos = deadline(delay);
			LoopFuture<Void> timer = LoopTaskScheduler.this.loop.schedule(this, delay);
			this.future = timer;
			return true;
		}

		@Override
		public synchronized void run() {
			Instant actual = LoopTaskScheduler.this.clock.instant();
			this.task.run();
			Instant scheduled = this.scheduled;
			this.context.update((scheduled != null) ? scheduled : actual, actual,
					LoopTaskScheduler.this.clock.instant());
			scheduleNext();
		}

		@Override
		public boolean cancel(boolean mayInterruptIfRunning) {
			this.cancelled = true;
			return super.cancel(mayInterruptIfRunning);
		}

		@Override
		public boolean isCancelled() {
			return this.cancelled;
		}

	}

}
