package dev.eventloop;

import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;

import org.jspecify.annotations.Nullable;

/**
 * A {@link Callable} queued on a loop that is also the future its caller holds, and, when
 * the caller is on another loop, the completion hop that brings the outcome back to it:
 * one object for the whole round trip, where a task, a future and a hop would be three.
 *
 * <p>
 * Life of a task: the submitter creates it and queues it on the target loop (which
 * publishes {@code callable}); the target loop runs it, clears {@code callable} and keeps
 * the outcome; when {@code home} is another loop, the target queues the task on
 * {@code home} as internal work (the queue's hand-off publishes {@code outcome}), and
 * {@code home} completes it. A task with no {@code callable} is therefore a completion
 * hop; the queue and the loop read that through {@link #internal()} when they take the
 * task. For an inline call deferred to its own loop's queue, {@code home} is that loop
 * itself.
 */
class SubmittedTask<T extends @Nullable Object> extends LoopFuture<T> implements LoopTask {

	// the work, until the target loop takes it; null from then on (a completion hop)
	private @Nullable Callable<T> callable;

	// where the future is completed: the caller's loop, or null for a caller on no loop
	// (completed on the target's thread); the target itself for a deferred inline call
	private final @Nullable EventLoop home;

	// the target loop's outcome until the home loop delivers it: the value, or a Failure
	private @Nullable Object outcome;

	SubmittedTask(Callable<T> callable, @Nullable EventLoop home) {
		this.callable = callable;
		this.home = home;
	}

	/**
	 * Fail the future of a task its loop refused, and let go of the task: the future
	 * outlives it in the caller's hands.
	 */
	void refuse(RejectedExecutionException cause) {
		this.callable = null;
		completeExceptionally(cause);
	}

	/**
	 * Refuse to be run as a plain {@link Runnable}: the future a caller holds is this
	 * task, and only its loop runs it (through {@link #execute()} and
	 * {@link #deliver()}). Run from elsewhere, it would run the caller's task on the
	 * wrong thread and make the loop take it for a completion hop, one place of a bounded
	 * queue lost for good.
	 */
	@Override
	public final void run() {
		throw new UnsupportedOperationException("A submitted task's future cannot be run: its loop runs the task");
	}

	@Override
	public boolean internal() {
		return this.callable == null;
	}

	@Override
	public void execute() throws Exception {
		Callable<T> task = this.callable;
		if (task == null) {
			return; // a completion hop: deliver() completes the future
		}
		this.callable = null;
		if (this.home != null && this.home.inLoop()) {
			((LoopThread) Thread.currentThread()).deferredInline--; // even if cancelled
		}
		if (!isDone()) { // else cancelled by its caller before it ran
			this.outcome = task.call();
		}
	}

	@Override
	public void deliver() {
		if (isDone()) {
			this.outcome = null; // cancelled: nothing to bring back, nor to keep
			return;
		}
		EventLoop home = this.home;
		if (home == null || home.inLoop() || home.thread().pendingHops != null) {
			// now, or through a tracked CompletionHop on a loop that may block on a
			// future
			// (see LoopFuture.awaitOnLoop)
			completeWithOutcome(home);
			return;
		}
		try {
			home.executeInternal(this);
		}
		catch (RejectedExecutionException ex) {
			// the home loop has terminated: complete here rather than lose the outcome
			completeWithOutcome(null);
		}
	}

	@Override
	public void fail(Throwable failure) {
		this.outcome = new Failure(failure);
		deliver();
	}

	@Override
	public void abandon(RejectedExecutionException cause) {
		if (this.callable == null) {
			completeWithOutcome(null); // a hop: the outcome exists, deliver it on this
										// thread
			return;
		}
		this.callable = null;
		this.outcome = new Failure(cause);
		deliver();
	}

	/**
	 * Complete with the kept outcome on the given loop ({@code null}: on this thread),
	 * and let go of it.
	 */
	private void completeWithOutcome(@Nullable EventLoop on) {
		Object outcome = this.outcome;
		this.outcome = null;
		Throwable failure = (outcome instanceof Failure failed) ? failed.cause : null;
		completeOn(on, (failure != null) ? null : castOutcome(outcome), failure);
	}

	@SuppressWarnings({ "unchecked", "NullAway" })
	private T castOutcome(@Nullable Object outcome) {
		return (T) outcome;
	}

	/**
	 * A failed outcome, told apart from a value that happens to be a throwable.
	 */
	private record Failure(Throwable cause) {
	}

}
