package dev.eventloop;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The bounded spin shared by idle {@link IdleStrategy#SPIN_THEN_PARK} and
 * {@link IdleStrategy#ADAPTIVE} loops and the threads waiting on their results: busy for
 * a few iterations, then yielding, so that on a busy machine the spinner gives its core
 * to the thread it waits for.
 */
final class Spin {

	/** How long to spin before parking. */
	static final long NANOS = TimeUnit.MICROSECONDS.toNanos(50);

	/**
	 * How long a {@link IdleStrategy#PARK} loop spins before it parks: less than one
	 * thread wake-up costs (a producer's unpark and the loop's return from the kernel
	 * take a few microseconds each), so that the spin can at most double the cost of the
	 * wake-up it may save.
	 */
	static final long BEFORE_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(2);

	private static final int BUSY_ITERATIONS = 100;

	private Spin() {
	}

	/**
	 * Spin until the condition holds or the spin time is over.
	 * @return whether the condition holds
	 */
	static boolean until(BooleanSupplier condition) {
		return until(condition, NANOS);
	}

	/**
	 * Spin until the condition holds or the given time is over. The condition is tested
	 * at least once.
	 * @param condition the condition
	 * @param nanos how long to spin at most
	 * @return whether the condition holds
	 */
	static boolean until(BooleanSupplier condition, long nanos) {
		long deadline = System.nanoTime() + nanos;
		for (int i = 0;; i++) {
			if (condition.getAsBoolean()) {
				return true;
			}
			if (System.nanoTime() - deadline >= 0) {
				return false;
			}
			if (i < BUSY_ITERATIONS) {
				Thread.onSpinWait();
			}
			else {
				Thread.yield();
			}
		}
	}

}
