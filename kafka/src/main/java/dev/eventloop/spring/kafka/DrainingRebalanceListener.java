package dev.eventloop.spring.kafka;

import java.util.Collection;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;

/**
 * Waits, before the container commits on a revocation (a rebalance, or the consumer
 * stopping), for the records of the revoked partitions still in flight on the loops and
 * commits what they completed, then calls the application's own rebalance listener, if
 * any; forgets revoked and lost partitions afterwards; reads, for assigned partitions,
 * which records beyond the commit their previous owner completed.
 */
final class DrainingRebalanceListener implements ConsumerAwareRebalanceListener {

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
			dispatcher.handover().awaitRevoked(partitions);
			dispatcher.handover().commitRevoked(consumer, partitions);
		}
		if (this.delegate instanceof ConsumerAwareRebalanceListener aware) {
			aware.onPartitionsRevokedBeforeCommit(consumer, partitions);
		}
		else if (this.delegate != null) {
			this.delegate.onPartitionsRevoked(partitions);
		}
	}

	@Override
	public void onPartitionsRevokedAfterCommit(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
		forget(partitions);
		if (this.delegate instanceof ConsumerAwareRebalanceListener aware) {
			aware.onPartitionsRevokedAfterCommit(consumer, partitions);
		}
	}

	@Override
	public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
		forget(partitions);
		if (this.delegate instanceof ConsumerAwareRebalanceListener aware) {
			aware.onPartitionsLost(consumer, partitions);
		}
		else if (this.delegate != null) {
			this.delegate.onPartitionsLost(partitions);
		}
	}

	@Override
	public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
		KafkaRecordDispatcher dispatcher = this.dispatcher.get();
		if (dispatcher != null) {
			dispatcher.handover().assigned(consumer, partitions);
		}
		if (this.delegate instanceof ConsumerAwareRebalanceListener aware) {
			aware.onPartitionsAssigned(consumer, partitions);
		}
		else if (this.delegate != null) {
			this.delegate.onPartitionsAssigned(partitions);
		}
	}

	private void forget(Collection<TopicPartition> partitions) {
		KafkaRecordDispatcher dispatcher = this.dispatcher.get();
		if (dispatcher != null && !partitions.isEmpty()) {
			dispatcher.forget(partitions);
		}
	}

}
