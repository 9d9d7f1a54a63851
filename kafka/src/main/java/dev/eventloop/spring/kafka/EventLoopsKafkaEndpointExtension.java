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
		List<KafkaLoopDescriptor> loops = this.dispatcher.lanes()
			.stream()
			.map((lane) -> new KafkaLoopDescriptor(lane.loop().name(), lane.inFlight(), lane.held(), lane.queued(),
					lane.highWaterMark()))
			.sorted(Comparator.comparing(KafkaLoopDescriptor::name))
			.toList();
		List<KafkaPartitionDescriptor> partitions = this.dispatcher.partitions()
			.stream()
			.map((partition) -> new KafkaPartitionDescriptor(partition.groupId(), partition.partition().topic(),
					partition.partition().partition(), partition.inFlight(), partition.held(), partition.paused(),
					partition.commitLag()))
			.sorted(Comparator.comparing(KafkaPartitionDescriptor::group)
				.thenComparing(KafkaPartitionDescriptor::topic)
				.thenComparingInt(KafkaPartitionDescriptor::partition))
			.toList();
		return new EventLoopsKafkaDescriptor(this.endpoint.eventLoops(securityContext).loops(),
				new KafkaDescriptor(loops, partitions));
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
	 * @since 0.1.0
	 */
	public record KafkaDescriptor(List<KafkaLoopDescriptor> loops, List<KafkaPartitionDescriptor> partitions) {
	}

	/**
	 * Kafka records of one loop.
	 *
	 * @param name loop name
	 * @param inFlight records dispatched and not yet completed, held ones included
	 * @param held records waiting for room on the loop
	 * @param queued records in the loop's queue, not yet started
	 * @param highWaterMark records the loop may have queued before further ones are held
	 * @since 0.1.0
	 */
	public record KafkaLoopDescriptor(String name, int inFlight, int held, int queued, int highWaterMark) {
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
	 * @since 0.1.0
	 */
	public record KafkaPartitionDescriptor(String group, String topic, int partition, int inFlight, int held,
			boolean paused, long commitLag) {
	}

}
