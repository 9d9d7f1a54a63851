package dev.eventloop;

import java.util.concurrent.RejectedExecutionException;

/**
 * A queued task that owns a future: its failures and its abandonment at shutdown complete
 * that future instead of going to the uncaught-exception handler.
 */
abstract class LoopTask implements Runnable {

	/**
	 * Do the work and keep its outcome. Called on the loop thread; the loop counts the
	 * run before it calls {@link #deliver()}, so that a caller who sees the future
	 * complete also sees the count.
	 */
	abstract void execute() throws Exception;

	/**
	 * Complete the task's future with the outcome kept by {@link #execute()}.
	 */
	abstract void deliver();

	@Override
	public final void run() {
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
	abstract void fail(Throwable failure);

	/**
	 * Complete the task's future exceptionally because it will never run. Called by
	 * whoever sweeps the queue of a terminated loop.
	 */
	abstract void abandon(RejectedExecutionException cause);

	@SuppressWarnings("unchecked")
	static <E extends Throwable> RuntimeException sneakyThrow(Throwable ex) throws E {
		throw (E) ex;
	}

}
