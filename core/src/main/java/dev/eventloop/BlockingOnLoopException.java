package dev.eventloop;

/**
 * Thrown when code running on an event-loop thread tries to block waiting for a result
 * that is not ready. Blocking would stall every other task of the loop, and deadlock it
 * when that same loop must produce the result.
 *
 * @since 0.1.0
 */
public class BlockingOnLoopException extends IllegalStateException {

	private static final long serialVersionUID = 1L;

	private final String loopName;

	/**
	 * Create an exception for the named loop thread.
	 * @param loopName name of the loop thread that tried to block
	 * @param what what was about to block, for example {@code "LoopFuture.join()"}
	 */
	public BlockingOnLoopException(String loopName, String what) {
		super(message(loopName, what));
		this.loopName = loopName;
	}

	private static String message(String loopName, String what) {
		return "Cannot call " + what + " on event loop '" + loopName + "' while the result is not ready: "
				+ "blocking would stall every task of this loop, and deadlock it if this loop must complete "
				+ "the result. Compose instead (thenApply/thenCompose/whenComplete), or use "
				+ "AsyncContext.dispatch to run the work where it belongs; run blocking work with "
				+ "AsyncContext.offload.";
	}

	/**
	 * Return the name of the loop thread that tried to block.
	 * @return the loop name
	 */
	public String getLoopName() {
		return this.loopName;
	}

}
