package dev.eventloop.spring.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.ToDoubleFunction;

import dev.eventloop.EventLoop;
import dev.eventloop.LoopCounters;
import dev.eventloop.LoopState;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * {@link MeterBinder} for event loops. Every meter is tagged with {@code loop} and
 * {@code group}. Counts the loop keeps anyway are read through function counters and
 * gauges, so the loops' hot path pays nothing for metrics; the lag timer is fed by the
 * loop's lag probe. A loop's meters are removed when it terminates.
 *
 * @since 0.1.0
 */
public class EventLoopMetrics implements MeterBinder, AutoCloseable {

	private final List<EventLoop> loops;

	// registration and removal happen on binding/shutdown threads; guarded by this
	private final List<Binding> bindings = new ArrayList<>();

	/**
	 * Create a binder for the given loops.
	 * @param loops the loops to instrument
	 */
	public EventLoopMetrics(Collection<EventLoop> loops) {
		this.loops = List.copyOf(loops);
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		for (EventLoop loop : this.loops) {
			if (loop.state() != LoopState.TERMINATED) {
				Binding binding = bind(loop, registry);
				synchronized (this) {
					this.bindings.add(binding);
				}
				loop.terminationFuture().thenRun(binding::remove);
			}
		}
	}

	private Binding bind(EventLoop loop, MeterRegistry registry) {
		Tags tags = Tags.of("loop", loop.name(), "group", loop.group().name());
		List<Meter> meters = new ArrayList<>();
		LoopCounters counters = loop.counters();
		meters.add(counter(registry, "eventloop.tasks.submitted", "Tasks accepted into the loop's queue or timers",
				BaseUnits.TASKS, tags, counters, LoopCounters::submitted));
		meters.add(counter(registry, "eventloop.tasks.inline",
				"Tasks run inline on the loop because the caller was already on it", BaseUnits.TASKS, tags, counters,
				LoopCounters::inline));
		meters.add(counter(registry, "eventloop.tasks.completed", "Task runs that returned normally", BaseUnits.TASKS,
				tags, counters, LoopCounters::completed));
		meters.add(counter(registry, "eventloop.tasks.failed", "Task runs that threw", BaseUnits.TASKS, tags, counters,
				LoopCounters::failed));
		meters.add(counter(registry, "eventloop.tasks.rejected",
				"Tasks refused because the queue was full or the loop was shut down", BaseUnits.TASKS, tags, counters,
				LoopCounters::rejected));
		meters.add(counter(registry, "eventloop.tasks.abandoned",
				"Accepted tasks that never ran because the loop shut down first", BaseUnits.TASKS, tags, counters,
				LoopCounters::abandoned));
		meters.add(counter(registry, "eventloop.blocking.violations",
				"Times code on the loop blocked on an unfinished result under the warn policy", "calls", tags, counters,
				LoopCounters::blockingViolations));
		meters.add(Gauge.builder("eventloop.queue.size", counters, LoopCounters::queueSize)
			.description("Tasks waiting in the loop's queue")
			.baseUnit(BaseUnits.TASKS)
			.tags(tags)
			.strongReference(true)
			.register(registry));
		meters.add(gauge(registry, "eventloop.utilization",
				"Share of wall time the loop spent running tasks over the last probe interval, 0 to 1", tags, counters,
				LoopCounters::utilization));
		meters.add(gauge(registry, "eventloop.stalled",
				"1 when a task has held the loop past its stall threshold or keeps it waiting, otherwise 0", tags,
				counters, (live) -> live.stalled() ? 1 : 0));
		Timer lag = Timer.builder("eventloop.lag")
			.description("How late the loop ran its scheduled lag probe")
			.tags(tags)
			.publishPercentileHistogram()
			.minimumExpectedValue(Duration.ofNanos(1_000))
			.maximumExpectedValue(Duration.ofSeconds(10))
			.register(registry);
		meters.add(lag);
		LongConsumer listener = (nanos) -> lag.record(nanos, TimeUnit.NANOSECONDS);
		loop.addLagListener(listener);
		return new Binding(loop, registry, meters, listener);
	}

	private static FunctionCounter counter(MeterRegistry registry, String name, String description, String baseUnit,
			Tags tags, LoopCounters counters, ToDoubleFunction<LoopCounters> count) {
		return FunctionCounter.builder(name, counters, count)
			.description(description)
			.baseUnit(baseUnit)
			.tags(tags)
			.register(registry);
	}

	private static Gauge gauge(MeterRegistry registry, String name, String description, Tags tags,
			LoopCounters counters, ToDoubleFunction<LoopCounters> value) {
		return Gauge.builder(name, counters, value)
			.description(description)
			.tags(tags)
			.strongReference(true)
			.register(registry);
	}

	/**
	 * Remove every meter this binder registered and stop feeding the lag timers.
	 */
	@Override
	public void close() {
		List<Binding> toRemove;
		synchronized (this) {
			toRemove = new ArrayList<>(this.bindings);
			this.bindings.clear();
		}
		toRemove.forEach(Binding::remove);
	}

	private record Binding(EventLoop loop, MeterRegistry registry, List<Meter> meters, LongConsumer listener) {

		void remove() {
			this.loop.removeLagListener(this.listener);
			this.meters.forEach(this.registry::remove);
		}

	}

}
