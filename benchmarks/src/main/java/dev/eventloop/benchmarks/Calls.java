package dev.eventloop.benchmarks;

import java.util.concurrent.CompletableFuture;

/**
 * The calls of the proxy benchmarks, implemented once per proxying mechanism.
 */
interface Calls {

	/** A fire-and-forget call that does nothing. */
	void fire();

	/**
	 * A fire-and-forget call that runs the barrier; queued after the earlier calls.
	 * @param barrier the barrier to run
	 */
	void release(Runnable barrier);

	/**
	 * A call with a result.
	 * @return the result
	 */
	CompletableFuture<Object> compute();

}
