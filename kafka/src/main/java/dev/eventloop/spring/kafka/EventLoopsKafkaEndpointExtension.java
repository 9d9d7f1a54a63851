package dev.eventloop.spring.kafka;

import java.util.Comparator;
import java.util.List;

import dev.eventloop.spring.actuate.EventLoopsEndpoint;
import dev.eventloop.spring.actuate.EventLoopsEndpoint.LoopDescriptor;

import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * Web extension of the {@code eventloops} endpoint that adds, beside the loops, the Kafka
 * records dispatched to them: per loop, the records in flight and held back; per
 * partition, the records in flight, whether it is paused and its commit lag.
 *
 * @since 0.1.0
 */
@EndpointWebExtension(endpoint = EventLoopsEndpoint.class)
public class EventLoopsKafkaEndpointExtension {

	private final EventLoopsEndpoint endpoint;

	private final KafkaRecordDispatcher dispatcher;

	public EventLoopsKafkaEndpointExtension(EventLoopsEndpoint endpoint, KafkaRecordDispatcher dispatcher) {
		this.endpoint = endpoint;
		this.dispatcher = dispatcher;
	}

	/**
	 * Report every loop, and the Kafka records on them.
	 * @param securityContext the caller's security context
	 * @return the report
	 */
	@ReadOperation
	public EventLoopsKafkaDescriptor eventLoops(SecurityContext securityContext) {
		long now = System.nanoTime();
		List<KafkaLoopDescriptor> loops = this.dispatcher.lanes()
			.stream()
			.map((lane) -> new KafkaLoopDescriptor(lane.loop().name(), lane.inFlight(), lane.held(), lane.queued(),
					lane.highWaterMark(), lane.waitingForKey()))
			.sorted(Comparator.comparing(KafkaLoopDescriptor::name))
			.toList();
		List<KafkaPartitionDescriptor> partitions = this.dispatcher.partitions()
			.stream()
			.map((partition) -> new KafkaPartitionDescriptor(partition.groupId(), partition.partition().topic(),
					partition.partition().partition(), partition.inFlight(), partition.held(), partition.paused(),
					partition.commitLag(), partition.waiting(), partition.committed(),
					partition.completedBeyondCommit(), partition.oldestAgeNanos(now) / 1_000_000))
			.sorted(Comparator.comparing(KafkaPartitionDescriptor::group)
				.thenComparing(KafkaPartitionDescriptor::topic)
				.thenComparingInt(KafkaPartitionDescriptor::partition))
			.toList();
		List<KafkaKeyDescriptor> keys = this.dispatcher.keyLanes()
			.mostWaiting(10)
			.stream()
			.map((entry) -> new KafkaKeyDescriptor(String.valueOf(entry.getKey()), entry.getValue()))
			.toList();
		return new EventLoopsKafkaDescriptor(this.endpoint.eventLoops(securityContext).loops(),
				new KafkaDescriptor(loops, partitions, keys));
	}

	/**
	 * Report of every loop and of the Kafka records on them.
	 *
	 * @param loops one entry per loop, as reported by the endpoint
	 * @param kafka the Kafka records dispatched to the loops
	 * @since 0.1.0
	 */
	public record EventLoopsKafkaDescriptor(List<LoopDescriptor> loops, KafkaDescriptor kafka) {
	}

	/**
	 * Kafka records dispatched to the loops.
	 *
	 * @param loops one entry per loop that has been given records
	 * @param partitions one entry per partition with records dispatched since it was
	 * assigned
	 * @param mostWaiting the ten keys (or partitions, under partition ordering) with most
	 * records waiting for an earlier record of theirs, most first, as
	 * {@code topic-partition:key}
	 * @since 0.1.0
	 */
	public record KafkaDescriptor(List<KafkaLoopDescriptor> loops, List<KafkaPartitionDescriptor> partitions,
			List<KafkaKeyDescriptor> mostWaiting) {
	}

	/**
	 * A key with records waiting.
	 *
	 * @param key the key, as {@code topic-partition:key}
	 * @param waiting records waiting behind the one of the key in flight
	 * @since 0.1.0
	 */
	public record KafkaKeyDescriptor(String key, int waiting) {
	}

	/**
	 * Kafka records of one loop.
	 *
	 * @param name loop name
	 * @param inFlight records dispatched and not yet completed, held ones included
	 * @param held records waiting for room on the loop
	 * @param queued records in the loop's queue, not yet started
	 * @param highWaterMark records the loop may have queued before further ones are held
	 * @param waiting records for the loop waiting for an earlier record of their key
	 * @since 0.1.0
	 */
	public record KafkaLoopDescriptor(String name, int inFlight, int held, int queued, int highWaterMark, int waiting) {
	}

	/**
	 * Kafka records of one partition.
	 *
	 * @param group consumer group
	 * @param topic topic
	 * @param partition partition number
	 * @param inFlight records dispatched and not yet completed
	 * @param held records waiting for room on their loop
	 * @param paused whether the partition is paused because records of it are held
	 * @param commitLag records from the commit point to the last record dispatched
	 * @param waiting records waiting for an earlier record of their key
	 * @param committed offset last committed
	 * @param completedBeyondCommit records completed beyond the commit point (in the
	 * commit's metadata)
	 * @param oldestInFlightMillis how long the oldest record in flight has been, 0 for
	 * none
	 * @since 0.1.0
	 */
	public record KafkaPartitionDescriptor(String group, String topic, int partition, int inFlight, int held,
			boolean paused, long commitLag, int waiting, long committed, long completedBeyondCommit,
			long oldestInFlightMillis) {
	}

}
