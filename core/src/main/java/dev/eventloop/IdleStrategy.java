package dev.eventloop;

/**
 * What a loop thread does when it has nothing to run.
 *
 * @since 0.1.0
 */
public enum IdleStrategy {

	/**
	 * Park the thread after a spin of at most 2 microseconds (shorter than a thread
	 * wake-up), so that tasks handed over in quick succession find the loop awake;
	 * producers wake a parked loop. Uses no CPU while idle beyond that spin.
	 */
	PARK,

	/**
	 * Spin for a short, bounded time (50 microseconds, yielding the CPU after the first
	 * hundred iterations) before parking. Lowers the latency of the next task (no thread
	 * wake-up) at the cost of CPU while idle. A thread that waits for the result of a
	 * task submitted to such a loop spins as briefly before it parks too, so that a quick
	 * round trip wakes neither thread.
	 */
	SPIN_THEN_PARK,

	/**
	 * Spin before parking only while tasks arrive often enough for the spin to pay: the
	 * loop measures the mean gap between the tasks it ran recently, and while that gap is
	 * at most 20 microseconds it spins for four times the gap (2 to 50 microseconds)
	 * before it parks; when tasks come further apart, or once the loop has been idle for
	 * a millisecond, it parks at once like {@link #PARK} and uses no CPU while idle.
	 * Under a high arrival rate, tasks start without a thread wake-up and producers skip
	 * the unpark; under a low one, latency and CPU are those of {@link #PARK}. A thread
	 * that waits for the result of a task submitted to such a loop spins briefly before
	 * it parks only while the loop is spinning.
	 */
	ADAPTIVE

}
