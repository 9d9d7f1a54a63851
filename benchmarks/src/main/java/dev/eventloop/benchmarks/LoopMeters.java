package dev.eventloop.benchmarks;

import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.ToDoubleFunction;

import dev.eventloop.EventLoop;
import dev.eventloop.LoopStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;

/**
 * The meters of DESIGN section 5 for one loop, bound the way a Micrometer binder binds
 * them: function counters and gauges over {@link EventLoop#stats()} (read only when the
 * registry is scraped) and a lag timer with a histogram fed by the loop's lag listener.
 */
final class LoopMeters implements AutoCloseable {

	private final EventLoop loop;

	private final LongConsumer lagListener;

	LoopMeters(EventLoop loop, MeterRegistry registry) {
		this.loop = loop;
		Tags tags = Tags.of("loop", loop.name(), "group", loop.group().name());
		counter(registry, "eventloop.tasks.submitted", "Tasks accepted into the loop's queue or timers", tags,
				LoopStats::submitted);
		counter(registry, "eventloop.tasks.inline", "Tasks run inline on the loop", tags, LoopStats::inline);
		counter(registry, "eventloop.tasks.completed", "Task runs that returned normally", tags, LoopStats::completed);
		counter(registry, "eventloop.tasks.failed", "Task runs that threw", tags, LoopStats::failed);
		counter(registry, "eventloop.tasks.rejected", "Tasks the loop refused", tags, LoopStats::rejected);
		counter(registry, "eventloop.blocking.violations", "Times code on the loop blocked", tags,
				LoopStats::blockingViolations);
		gauge(registry, "eventloop.queue.size", "Tasks waiting in the queue", BaseUnits.TASKS, tags,
				LoopStats::queueSize);
		gauge(registry, "eventloop.utilization", "Share of time spent running tasks", null, tags,
				LoopStats::utilization);
		gauge(registry, "eventloop.stalled", "Whether one task has run past the stall threshold", null, tags,
				(stats) -> stats.stalled() ? 1 : 0);
		Timer lag = Timer.builder("eventloop.lag")
			.description("How late the loop ran a scheduled probe")
			.tags(tags)
			.publishPercentileHistogram()
			.register(registry);
		this.lagListener = (nanos) -> lag.record(nanos, TimeUnit.NANOSECONDS);
		loop.addLagListener(this.lagListener);
	}

	private void counter(MeterRegistry registry, String name, String description, Tags tags,
			ToDoubleFunction<LoopStats> value) {
		FunctionCounter.builder(name, this.loop, (loop) -> value.applyAsDouble(loop.stats()))
			.description(description)
			.baseUnit(BaseUnits.TASKS)
			.tags(tags)
			.register(registry);
	}

	private void gauge(MeterRegistry registry, String name, String description, String baseUnit, Tags tags,
			ToDoubleFunction<LoopStats> value) {
		Gauge.builder(name, this.loop, (loop) -> value.applyAsDouble(loop.stats()))
			.description(description)
			.baseUnit(baseUnit)
			.tags(tags)
			.register(registry);
	}

	@Override
	public void close() {
		this.loop.removeLagListener(this.lagListener);
	}

}
