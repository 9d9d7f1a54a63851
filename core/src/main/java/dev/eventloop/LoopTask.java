package dev.eventloop;

import java.util.concurrent.RejectedExecutionException;

/**
 * A queued task that owns a future: its failures and its abandonment at shutdown complete
 * that future instead of going to the uncaught-exception handler. An interface, so that a
 * future can be its own task ({@link SubmittedTask}).
 */
interface LoopTask extends Runnable {

	/**
	 * Do the work and keep its outcome. Called on the loop thread; the loop counts the
	 * run before it calls {@link #deliver()}, so that a caller who sees the future
	 * complete also sees the count.
	 */
	void execute() throws Exception;

	/**
	 * Complete the task's future with the outcome kept by {@link #execute()}.
	 */
	void deliver();

	@Override
	default void run() {
		try {
			execute();
		}
		catch (Exception ex) {
			throw sneakyThrow(ex);
		}
		deliver();
	}

	/**
	 * Deliver a failure thrown by {@link #run()}. Called on the loop thread.
	 */
	void fail(Throwable failure);

	/**
	 * Complete the task's future exceptionally because it will never run. Called by
	 * whoever sweeps the queue of a terminated loop.
	 */
	void abandon(RejectedExecutionException cause);

	/**
	 * Return whether this is, now, the runtime's own work rather than a user task: not
	 * counted, and never refused or counted against a bounded queue. Read by the loop
	 * that takes the task from its queue, or by the sweeper of a terminated loop.
	 */
	default boolean internal() {
		return false;
	}

	/**
	 * Return whether a queued task is the runtime's own work (see {@link #internal()}).
	 */
	static boolean isInternal(Runnable task) {
		return task instanceof LoopTask loopTask && loopTask.internal();
	}

	@SuppressWarnings("unchecked")
	static <E extends Throwable> RuntimeException sneakyThrow(Throwable ex) throws E {
		throw (E) ex;
	}

}
