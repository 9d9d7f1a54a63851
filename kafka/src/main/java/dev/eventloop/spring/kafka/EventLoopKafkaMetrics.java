package dev.eventloop.spring.kafka;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.eventloop.EventLoop;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * {@link MeterBinder} for records dispatched to event loops: per loop, records in flight,
 * held and waiting for their key (tagged {@code loop} and {@code group}); per partition
 * (tagged {@code group}, {@code topic} and {@code partition}, while the partition is this
 * instance's), the age of the oldest record in flight, the offset committed, and the
 * records completed beyond it, held and waiting; paused partitions, commit lag, and
 * counts of slow records, records skipped after a takeover and commits whose metadata did
 * not fit.
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
			Gauge.builder("eventloop.kafka.records.waiting", loop, this::waiting)
				.description("Kafka records for the loop waiting for an earlier record of their key to complete")
				.baseUnit("records")
				.tags(tags)
				.register(registry);
		}
		Gauge.builder("eventloop.kafka.partitions.paused", this.dispatcher, EventLoopKafkaMetrics::pausedPartitions)
			.description("Partitions paused because records of theirs are held back for a full loop or consumer")
			.baseUnit("partitions")
			.register(registry);
		Gauge.builder("eventloop.kafka.commit.lag", this.dispatcher, EventLoopKafkaMetrics::commitLag)
			.description("Records from the commit point of each partition to the last record dispatched,"
					+ " summed over partitions")
			.baseUnit("records")
			.register(registry);
		KafkaProgress progress = this.dispatcher.progress();
		FunctionCounter.builder("eventloop.kafka.records.slow", progress, KafkaProgress::slowRecords)
			.description("Records in flight longer than eventloop.kafka.slow-record-threshold")
			.baseUnit("records")
			.register(registry);
		FunctionCounter.builder("eventloop.kafka.records.skipped", progress, KafkaProgress::skippedRecords)
			.description("Records not run because the previous owner of their partition had completed them")
			.baseUnit("records")
			.register(registry);
		FunctionCounter.builder("eventloop.kafka.commit.metadata.overflows", progress, KafkaProgress::metadataOverflows)
			.description("Commits made without the completed offsets beyond the commit point, which did not fit")
			.register(registry);
		this.dispatcher.partitionListener(new PartitionMeters(registry));
	}

	private double inFlight(EventLoop loop) {
		LoopLane lane = this.dispatcher.lane(loop);
		return (lane != null) ? lane.inFlight() : 0;
	}

	private double held(EventLoop loop) {
		LoopLane lane = this.dispatcher.lane(loop);
		return (lane != null) ? lane.held() : 0;
	}

	private double waiting(EventLoop loop) {
		LoopLane lane = this.dispatcher.lane(loop);
		return (lane != null) ? lane.waitingForKey() : 0;
	}

	private static double pausedPartitions(KafkaRecordDispatcher dispatcher) {
		return dispatcher.partitions().stream().filter(PartitionTracker::paused).count();
	}

	private static double commitLag(KafkaRecordDispatcher dispatcher) {
		return dispatcher.partitions().stream().mapToLong(PartitionTracker::commitLag).sum();
	}

	/**
	 * The meters of each partition, registered while it is tracked.
	 */
	private static final class PartitionMeters implements KafkaRecordDispatcher.PartitionListener {

		private final MeterRegistry registry;

		private final Map<PartitionTracker, List<Meter>> meters = new ConcurrentHashMap<>();

		PartitionMeters(MeterRegistry registry) {
			this.registry = registry;
		}

		@Override
		public void tracked(PartitionTracker partition) {
			Tags tags = Tags.of("group", partition.groupId(), "topic", partition.partition().topic(), "partition",
					String.valueOf(partition.partition().partition()));
			this.meters.put(partition, List.of(
					Gauge
						.builder("eventloop.kafka.partition.oldest.age", partition,
								(tracker) -> tracker.oldestAgeNanos(System.nanoTime()) / 1e9)
						.description("How long the oldest record of the partition in flight has been")
						.baseUnit("seconds")
						.tags(tags)
						.register(this.registry),
					Gauge.builder("eventloop.kafka.partition.committed", partition, PartitionTracker::committed)
						.description("Offset last committed for the partition")
						.tags(tags)
						.register(this.registry),
					Gauge
						.builder("eventloop.kafka.partition.completed.beyond.commit", partition,
								PartitionTracker::completedBeyondCommit)
						.description("Records of the partition completed beyond its commit point")
						.baseUnit("records")
						.tags(tags)
						.register(this.registry),
					Gauge.builder("eventloop.kafka.partition.held", partition, PartitionTracker::held)
						.description("Records of the partition held back for a full loop or consumer")
						.baseUnit("records")
						.tags(tags)
						.register(this.registry),
					Gauge.builder("eventloop.kafka.partition.waiting", partition, PartitionTracker::waiting)
						.description("Records of the partition waiting for an earlier record of their key")
						.baseUnit("records")
						.tags(tags)
						.register(this.registry)));
		}

		@Override
		public void forgotten(PartitionTracker partition) {
			List<Meter> removed = this.meters.remove(partition);
			if (removed != null) {
				removed.forEach(this.registry::remove);
			}
		}

	}

}
