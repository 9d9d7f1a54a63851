package dev.eventloop.spring.observation;

import java.time.Duration;

import io.micrometer.observation.Observation;

/**
 * The {@link Observation.Context} of one task run on an event loop, observed as
 * {@value EventLoopTaskObservations#NAME}: the loop, its group, whether the task ran
 * inline on the caller's loop or was queued, and how long it waited in the queue.
 *
 * @since 0.1.0
 */
public final class EventLoopTaskContext extends Observation.Context {

	private final String loop;

	private final String group;

	private final String mode;

	private final Duration queueWait;

	EventLoopTaskContext(String loop, String group, String mode, Duration queueWait) {
		this.loop = loop;
		this.group = group;
		this.mode = mode;
		this.queueWait = queueWait;
		setName(EventLoopTaskObservations.NAME);
		setContextualName("eventloop task " + loop);
	}

	/**
	 * Return the name of the loop that ran the task.
	 * @return the loop name
	 */
	public String getLoop() {
		return this.loop;
	}

	/**
	 * Return the name of the loop's group (the loop's own name for a standalone loop).
	 * @return the group name
	 */
	public String getGroup() {
		return this.group;
	}

	/**
	 * Return how the task reached the loop: {@code inline} or {@code queued}.
	 * @return the mode
	 */
	public String getMode() {
		return this.mode;
	}

	/**
	 * Return how long the task waited between its submission and the start of its run
	 * (zero for inline work).
	 * @return the queue wait
	 */
	public Duration getQueueWait() {
		return this.queueWait;
	}

}
