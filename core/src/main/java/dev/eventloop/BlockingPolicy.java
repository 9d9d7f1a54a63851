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
	ALLOW;

	/**
	 * Apply the calling thread's policy before a blocking operation: on one of this
	 * library's loops, that loop's policy ({@link #FAIL} throws, {@link #WARN} counts the
	 * violation and logs once per call site, {@link #ALLOW} lets it pass); on an
	 * event-loop thread of another library recognised by an open {@link AsyncContext},
	 * that context's policy; on any other thread, nothing. For integrations that detect
	 * blocking calls, such as BlockHound.
	 * @param operation what is about to block, for the message (for example
	 * {@code "java.lang.Thread.sleep"})
	 * @throws BlockingOnLoopException when the policy that applies is {@link #FAIL}
	 */
	public static void beforeBlocking(String operation) {
		BlockingGuard.beforeBlocking(operation);
	}

}
