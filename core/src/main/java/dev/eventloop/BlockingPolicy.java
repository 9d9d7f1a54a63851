package dev.eventloop;

/**
 * What happens when code running on an event-loop thread tries to block waiting for a
 * result that is not ready.
 *
 * @since 0.1.0
 */
public enum BlockingPolicy {

	/**
	 * Refuse with a {@link BlockingOnLoopException}. The default.
	 */
	FAIL,

	/**
	 * Log a warning once per call site (with its stack), count the violation, then block.
	 */
	WARN,

	/**
	 * Block without complaint.
	 */
	ALLOW

}
