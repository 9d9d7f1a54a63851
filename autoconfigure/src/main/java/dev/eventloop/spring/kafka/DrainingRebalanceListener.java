package dev.eventloop.spring.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;

/**
 * Waits, before the container commits on a revocation (a rebalance, or the consumer
 * stopping), for the records of the revoked partitions still in flight on the loops, then
 * calls the application's own rebalance listener, if any.
 */
final class DrainingRebalanceListener implements ConsumerAwareRebalanceListener {

	private static final Duration WAKEUP_CLEARING_TIMEOUT = Duration.ofSeconds(5);

	private final Supplier<@Nullable KafkaRecordDispatcher> dispatcher;

	private final @Nullable ConsumerRebalanceListener delegate;

	DrainingRebalanceListener(Supplier<@Nullable KafkaRecordDispatcher> dispatcher,
			@Nullable ConsumerRebalanceListener delegate) {
		this.dispatcher = dispatcher;
		this.delegate = delegate;
	}

	@Override
	public void onPartitionsRevokedBeforeCommit(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
		KafkaRecordDispatcher dispatcher = this.dispatcher.get();
		if (dispatcher != null && !partitions.isEmpty()) {
			dispatcher.awaitRevoked(partitions);
			clearWakeup(consumer, partitions);
		}
		if (this.delegate instanceof ConsumerAwareRebalanceListener aware) {
			aware.onPartitionsRevokedBeforeCommit(consumer, partitions);
		}
		else if (this.delegate != null) {
			this.delegate.onPartitionsRevoked(partitions);
		}
	}

	/**
	 * Acknowledgements made on loop threads wake the consumer up so that it commits
	 * promptly; a wake-up still pending would make the container's commit that follows
	 * this callback fail. A cheap blocking call takes it.
	 */
	private static void clearWakeup(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
		try {
			consumer.committed(Set.copyOf(partitions), WAKEUP_CLEARING_TIMEOUT);
		}
		catch (WakeupException ex) {
			// taken
		}
		catch (RuntimeException ex) {
			// the container's commit reports any real problem
		}
	}

	@Override
	public void onPartitionsRevokedAfterCommit(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
		if (this.delegate instanceof ConsumerAwareRebalanceListener aware) {
			aware.onPartitionsRevokedAfterCommit(consumer, partitions);
		}
	}

	@Override
	public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
		if (this.delegate instanceof ConsumerAwareRebalanceListener aware) {
			aware.onPartitionsLost(consumer, partitions);
		}
		else if (this.delegate != null) {
			this.delegate.onPartitionsLost(partitions);
		}
	}

	@Override
	public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
		if (this.delegate instanceof ConsumerAwareRebalanceListener aware) {
			aware.onPartitionsAssigned(consumer, partitions);
		}
		else if (this.delegate != null) {
			this.delegate.onPartitionsAssigned(partitions);
		}
	}

}
