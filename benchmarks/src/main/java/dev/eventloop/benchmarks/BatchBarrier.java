package dev.eventloop.benchmarks;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The last task of a batch: when the loop runs it, every task the same producer queued
 * before it has run (all implementations run one producer's tasks in order). The producer
 * waits for it the same way whatever the implementation: a short yield-spin, then
 * parking.
 */
final class BatchBarrier implements Runnable {

	private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

	private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

	// written by the loop thread that runs this task, read by the waiting producer
	private volatile boolean done;

	// written by the producer before it queues this task, read by the loop thread
	private volatile Thread waiter = Thread.currentThread();

	/**
	 * Prepare for a new batch. Called by the producer before it queues the barrier.
	 */
	void arm() {
		this.waiter = Thread.currentThread();
		this.done = false;
	}

	@Override
	public void run() {
		this.done = true;
		LockSupport.unpark(this.waiter);
	}

	/**
	 * Wait until the loop has run this barrier.
	 * @throws IllegalStateException if the loop did not run it within 30 seconds
	 */
	void await() {
		long start = System.nanoTime();
		while (!this.done) {
			long waited = System.nanoTime() - start;
			if (waited < SPIN_NANOS) {
				Thread.yield();
			}
			else if (waited < TIMEOUT_NANOS) {
				LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(1));
			}
			else {
				throw new IllegalStateException("The loop did not finish a batch within 30 seconds");
			}
		}
	}

}
