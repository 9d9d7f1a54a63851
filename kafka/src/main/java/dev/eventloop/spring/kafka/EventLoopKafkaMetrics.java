package dev.eventloop.spring.kafka;

import java.util.Collection;
import java.util.List;

import dev.eventloop.EventLoop;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * {@link MeterBinder} for records dispatched to event loops: records in flight and held
 * per loop (tagged {@code loop} and {@code group}), paused partitions, and commit lag.
 */
public final class EventLoopKafkaMetrics implements MeterBinder {

	private final KafkaRecordDispatcher dispatcher;

	private final List<EventLoop> loops;

	public EventLoopKafkaMetrics(KafkaRecordDispatcher dispatcher, Collection<EventLoop> loops) {
		this.dispatcher = dispatcher;
		this.loops = List.copyOf(loops);
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		for (EventLoop loop : this.loops) {
			Tags tags = Tags.of("loop", loop.name(), "group", loop.group().name());
			Gauge.builder("eventloop.kafka.records.in.flight", loop, this::inFlight)
				.description("Kafka records dispatched to the loop and not yet completed, held ones included")
				.baseUnit("records")
				.tags(tags)
				.register(registry);
			Gauge.builder("eventloop.kafka.records.held", loop, this::held)
				.description("Kafka records held back because the loop has reached its high-water mark")
				.baseUnit("records")
				.tags(tags)
				.register(registry);
		}
		Gauge.builder("eventloop.kafka.partitions.paused", this.dispatcher, EventLoopKafkaMetrics::pausedPartitions)
			.description("Partitions paused because records of theirs are held back for a full loop")
			.baseUnit("partitions")
			.register(registry);
		Gauge.builder("eventloop.kafka.commit.lag", this.dispatcher, EventLoopKafkaMetrics::commitLag)
			.description("Records from the commit point of each partition to the last record dispatched,"
					+ " summed over partitions: what a crash now would deliver again")
			.baseUnit("records")
			.register(registry);
	}

	private double inFlight(EventLoop loop) {
		LoopLane lane = this.dispatcher.lane(loop);
		return (lane != null) ? lane.inFlight() : 0;
	}

	private double held(EventLoop loop) {
		LoopLane lane = this.dispatcher.lane(loop);
		return (lane != null) ? lane.held() : 0;
	}

	private static double pausedPartitions(KafkaRecordDispatcher dispatcher) {
		return dispatcher.partitions().stream().filter(PartitionTracker::paused).count();
	}

	private static double commitLag(KafkaRecordDispatcher dispatcher) {
		return dispatcher.partitions().stream().mapToLong(PartitionTracker::commitLag).sum();
	}

}
