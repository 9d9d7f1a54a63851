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
	 * Spin for a short, bounded time before parking. Lowers the latency of the next task
	 * (no thread wake-up) at the cost of CPU while idle.
	 */
	SPIN_THEN_PARK

}
