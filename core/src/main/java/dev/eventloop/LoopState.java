package dev.eventloop;

/**
 * Lifecycle state of an {@link EventLoop}. States only move forward, in declaration
 * order.
 *
 * @since 0.1.0
 */
public enum LoopState {

	/**
	 * Created but its thread has not been started.
	 */
	NEW,

	/**
	 * Running and accepting tasks.
	 */
	RUNNING,

	/**
	 * Shutdown has begun: new tasks are rejected, queued tasks are drained.
	 */
	SHUTTING_DOWN,

	/**
	 * Stopped: the loop runs nothing more and every task it accepted has completed,
	 * failed or been abandoned.
	 */
	TERMINATED

}
