package dev.eventloop;

/**
 * What a loop thread does when it has nothing to run.
 *
 * @since 0.1.0
 */
public enum IdleStrategy {

	/**
	 * Park the thread at once; producers wake it. Uses no CPU while idle.
	 */
	PARK,

	/**
	 * Spin for a short, bounded time (50 microseconds, yielding the CPU after the first
	 * hundred iterations) before parking. Lowers the latency of the next task (no thread
	 * wake-up) at the cost of CPU while idle. A thread that waits for the result of a
	 * task submitted to such a loop spins as briefly before it parks too, so that a quick
	 * round trip wakes neither thread.
	 */
	SPIN_THEN_PARK

}
