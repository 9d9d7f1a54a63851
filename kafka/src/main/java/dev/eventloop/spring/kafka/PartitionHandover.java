package dev.eventloop.spring.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

/**
 * A consumer's side of a rebalance, on its consumer thread: partitions assigned to it
 * learn from their commit's metadata which records their previous owner completed beyond
 * the commit point (they are skipped); partitions revoked from it drop their records that
 * have not started, wait for those in flight (up to the revocation timeout) and commit
 * the commit point with the completed offsets beyond it.
 */
final class PartitionHandover {

	private static final Log logger = LogFactory.getLog(PartitionHandover.class);

	private final KafkaRecordDispatcher dispatcher;

	private final Duration revocationTimeout;

	PartitionHandover(KafkaRecordDispatcher dispatcher, Duration revocationTimeout) {
		this.dispatcher = dispatcher;
		this.revocationTimeout = revocationTimeout;
	}

	/**
	 * Read, on the consumer thread, which records beyond the committed offsets of newly
	 * assigned partitions the previous owner completed, so that they are skipped. Only
	 * for groups whose records the starter already dispatches; the partitions of others
	 * are read when their first record arrives.
	 */
	void assigned(Consumer<?, ?> consumer, Collection<TopicPartition> assigned) {
		String groupId = this.dispatcher.groupId();
		if (assigned.isEmpty() || !this.dispatcher.dispatching(groupId)) {
			return;
		}
		read(consumer, groupId, assigned)
			.forEach((partition, completed) -> this.dispatcher.completedAhead(groupId, partition, completed));
	}

	/**
	 * Read, on the consumer thread, which records beyond the committed offset of a
	 * partition its previous owner completed.
	 */
	NavigableMap<Long, Long> completedAhead(@Nullable Consumer<?, ?> consumer, String groupId,
			TopicPartition partition) {
		if (consumer == null) {
			return new TreeMap<>();
		}
		NavigableMap<Long, Long> completed = read(consumer, groupId, List.of(partition)).get(partition);
		return (completed != null) ? completed : new TreeMap<>();
	}

	private Map<TopicPartition, NavigableMap<Long, Long>> read(Consumer<?, ?> consumer, String groupId,
			Collection<TopicPartition> partitions) {
		Map<TopicPartition, OffsetAndMetadata> committed;
		try {
			CommittingConsumer committing = CommittingConsumer.of(consumer);
			committed = (committing != null) ? committing.committed(partitions, this.revocationTimeout)
					: consumer.committed(new HashSet<>(partitions), this.revocationTimeout);
		}
		catch (RuntimeException ex) {
			logger.warn(
					"Could not read the commits of partitions " + partitions + " of consumer group '" + groupId
							+ "'; records their previous owner completed after its commit point are processed again",
					ex);
			return Map.of();
		}
		Map<TopicPartition, NavigableMap<Long, Long>> completed = new HashMap<>();
		for (TopicPartition partition : partitions) {
			OffsetAndMetadata offset = committed.get(partition);
			completed.put(partition,
					(offset != null) ? CompletedOffsets.decode(offset.offset(), offset.metadata()) : new TreeMap<>());
		}
		return completed;
	}

	/**
	 * Wait, on the consumer thread, for the records in flight of partitions being revoked
	 * from it, so that their offsets are committed before another consumer takes the
	 * partitions over. Records of them that have not started are dropped: the next owner
	 * runs them.
	 */
	void awaitRevoked(Collection<TopicPartition> revoked) {
		String groupId = this.dispatcher.groupId();
		List<CompletableFuture<Void>> idle = new ArrayList<>();
		Set<PartitionTracker> trackers = new HashSet<>();
		for (TopicPartition partition : revoked) {
			PartitionTracker tracker = this.dispatcher.tracker(groupId, partition);
			if (tracker != null) {
				tracker.revoking();
				trackers.add(tracker);
			}
		}
		if (trackers.isEmpty()) {
			return;
		}
		this.dispatcher.dropNotStarted(trackers);
		for (PartitionTracker tracker : trackers) {
			idle.add(tracker.whenIdle());
		}
		CompletableFuture<Void> all = CompletableFuture.allOf(idle.toArray(CompletableFuture[]::new));
		ConsumerSession session = this.dispatcher.session();
		long deadline = System.nanoTime() + this.revocationTimeout.toNanos();
		try {
			while (true) {
				if (session != null) {
					// failures waiting for this thread are given up here: the next owner
					// runs their records again
					session.runInbox();
				}
				long remaining = deadline - System.nanoTime();
				try {
					all.get(Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(5)), TimeUnit.NANOSECONDS);
					return;
				}
				catch (TimeoutException ex) {
					if (remaining <= 0) {
						throw ex;
					}
				}
			}
		}
		catch (TimeoutException ex) {
			int inFlight = trackers.stream().mapToInt(PartitionTracker::inFlight).sum();
			logger.warn("Partitions " + revoked + " of consumer group '" + groupId + "' were revoked with " + inFlight
					+ " records still in flight on event loops after waiting " + this.revocationTimeout
					+ "; their offsets are not committed and the consumer that takes the partitions over will"
					+ " process them again. Raise eventloop.kafka.revocation-timeout if records take longer.");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException("Unexpected failure waiting for revoked partitions " + revoked, ex);
		}
	}

	/**
	 * Commit, synchronously on the consumer thread, what the loops have completed of
	 * partitions being revoked, before another consumer takes them over.
	 */
	void commitRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> revoked) {
		CommittingConsumer committing = CommittingConsumer.of(consumer);
		if (committing != null) {
			committing.commitRevoked(revoked, this.revocationTimeout);
		}
	}

}
