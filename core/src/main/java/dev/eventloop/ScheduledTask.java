package dev.eventloop;

import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;

/**
 * A delayed or periodic task. Owned by the loop thread once armed in the loop's timer
 * heap; a task scheduled from another thread travels through the task queue first.
 */
final class ScheduledTask extends LoopTask {

	private final Runnable task;

	final LoopFuture<Void> future;

	// loop thread only
	long deadlineNanos;

	final long periodNanos;

	// loop thread only once armed
	long sequence;

	final boolean internal;

	ScheduledTask(Runnable task, long deadlineNanos, long periodNanos, long sequence, boolean internal) {
		this.task = task;
		this.future = new LoopFuture<>();
		this.deadlineNanos = deadlineNanos;
		this.periodNanos = periodNanos;
		this.sequence = sequence;
		this.internal = internal;
	}

	boolean isPeriodic() {
		return this.periodNanos != 0;
	}

	@Override
	void execute() {
		this.task.run();
	}

	@Override
	void deliver() {
		if (!isPeriodic()) {
			this.future.complete(null);
		}
	}

	@Override
	void fail(Throwable failure) {
		this.future.completeExceptionally(failure);
	}

	@Override
	void abandon(RejectedExecutionException cause) {
		this.future.completeExceptionally(cause);
	}

	void cancelAtShutdown(String loopName) {
		CancellationException ex = new CancellationException(
				"Event loop '" + loopName + "' shut down before this scheduled task was due");
		this.future.completeExceptionally(ex);
	}

	static int compare(ScheduledTask a, ScheduledTask b) {
		int byDeadline = Long.compare(a.deadlineNanos - b.deadlineNanos, 0);
		return (byDeadline != 0) ? byDeadline : Long.compare(a.sequence, b.sequence);
	}

}
