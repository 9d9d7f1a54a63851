package dev.eventloop;

import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;

import org.jspecify.annotations.Nullable;

/**
 * A delayed or periodic task. Owned by the loop thread once armed in the loop's
 * {@link TimerQueue}; a task scheduled from another thread travels through the task queue
 * first.
 */
final class ScheduledTask implements LoopTask {

	private final EventLoop loop;

	private final Runnable task;

	// the caller's loop when it scheduled from another loop (its future completes there),
	// otherwise null
	private final @Nullable EventLoop home;

	final Future future;

	// loop thread only
	long deadlineNanos;

	final long periodNanos;

	// loop thread only, once armed: arming order and place in the heap (-1: not in it)
	long sequence;

	int heapIndex = -1;

	// loop thread only: whether the task has started at least one run, and whether its
	// falling behind its period has been reported
	private boolean ran;

	boolean reportedBehind;

	ScheduledTask(EventLoop loop, Runnable task, long deadlineNanos, long periodNanos, @Nullable EventLoop home) {
		this.loop = loop;
		this.task = task;
		this.home = home;
		this.future = new Future(this);
		this.deadlineNanos = deadlineNanos;
		this.periodNanos = periodNanos;
	}

	boolean isPeriodic() {
		return this.periodNanos != 0;
	}

	boolean hasRun() {
		return this.ran;
	}

	Runnable task() {
		return this.task;
	}

	@Override
	public void execute() {
		this.ran = true;
		this.task.run();
	}

	@Override
	public void deliver() {
		if (!isPeriodic()) {
			this.future.completeOn(this.home, null, null);
		}
	}

	@Override
	public void fail(Throwable failure) {
		this.future.completeOn(this.home, null, failure);
	}

	@Override
	public void abandon(RejectedExecutionException cause) {
		this.future.completeOn(this.home, null, cause);
	}

	/**
	 * Cancel a timer that the shutdown reached before it was due.
	 * @return whether it was still pending
	 */
	boolean cancelAtShutdown(String loopName) {
		if (this.future.isDone()) {
			return false;
		}
		this.future.completeOn(this.home, null, new CancellationException(
				"Event loop '" + loopName + "' shut down before this scheduled task was due"));
		return true;
	}

	static int compare(ScheduledTask a, ScheduledTask b) {
		int byDeadline = Long.compare(a.deadlineNanos - b.deadlineNanos, 0);
		return (byDeadline != 0) ? byDeadline : Long.compare(a.sequence, b.sequence);
	}

	@Override
	public String toString() {
		return "ScheduledTask[" + this.task + "]";
	}

	/**
	 * The future of a scheduled task. Cancelling it is cheap (no stack trace is captured)
	 * and takes the timer out of its loop's heap: at once on the loop thread, in bulk
	 * from other threads.
	 */
	static final class Future extends LoopFuture<Void> {

		private final ScheduledTask timer;

		Future(ScheduledTask timer) {
			this.timer = timer;
		}

		@Override
		public boolean cancel(boolean mayInterruptIfRunning) {
			boolean cancelled = completeExceptionally(new TimerCancelledException());
			if (cancelled) {
				this.timer.loop.timers().cancelled(this.timer);
			}
			return cancelled || isCancelled();
		}

	}

	/**
	 * The cancellation of a timer: thrown often, so without a stack trace.
	 */
	static final class TimerCancelledException extends CancellationException {

		TimerCancelledException() {
			super("Scheduled task cancelled");
		}

		@Override
		public synchronized Throwable fillInStackTrace() {
			return this;
		}

	}

}
