package dev.eventloop.spring.observation;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;

/**
 * Records the queue wait of each observed loop task in the
 * {@code eventloop.task.queue.wait} timer, tagged with the task's loop, group and mode;
 * the {@code eventloop.task} timer that Boot's meter handler makes of the observation
 * records the run time.
 *
 * @since 0.1.0
 */
public final class EventLoopTaskQueueWaitHandler implements ObservationHandler<EventLoopTaskContext> {

	private final MeterRegistry registry;

	/**
	 * Create a handler that records in the given registry.
	 * @param registry the meter registry
	 */
	public EventLoopTaskQueueWaitHandler(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public void onStop(EventLoopTaskContext context) {
		Timer.builder("eventloop.task.queue.wait")
			.description("Time tasks waited between their submission and the start of their run on a loop")
			.tag("loop", context.getLoop())
			.tag("group", context.getGroup())
			.tag("mode", context.getMode())
			.register(this.registry)
			.record(context.getQueueWait());
	}

	@Override
	public boolean supportsContext(Observation.Context context) {
		return context instanceof EventLoopTaskContext;
	}

}
