package dev.eventloop.spring.aop;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * The {@code eventloop.offload.*} meters of the {@link OffloadExecution}, each reading
 * one of its counts.
 */
public final class OffloadMetrics implements MeterBinder {

	private final OffloadExecution execution;

	public OffloadMetrics(OffloadExecution execution) {
		this.execution = execution;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		OffloadExecution execution = this.execution;
		Gauge.builder("eventloop.offload.active", execution, OffloadExecution::active)
			.description("Offloaded blocking tasks running now")
			.baseUnit(BaseUnits.TASKS)
			.register(registry);
		Gauge.builder("eventloop.offload.queued", execution, OffloadExecution::waiting)
			.description("Offloaded blocking tasks waiting for a thread or a concurrency slot")
			.baseUnit(BaseUnits.TASKS)
			.register(registry);
		FunctionCounter.builder("eventloop.offload.completed", execution, OffloadExecution::completed)
			.description("Offloaded blocking tasks that have finished, whether they returned or threw")
			.baseUnit(BaseUnits.TASKS)
			.register(registry);
		Gauge.builder("eventloop.offload.max-concurrency", execution, OffloadExecution::maxConcurrency)
			.description("Most offloaded blocking tasks that may run at once")
			.baseUnit(BaseUnits.TASKS)
			.register(registry);
	}

}
