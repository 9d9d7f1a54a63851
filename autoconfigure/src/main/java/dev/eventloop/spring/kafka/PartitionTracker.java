package dev.eventloop.spring.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * The records of one partition of one consumer group that have been handed to the loops
 * and not yet completed: how many, the lowest incomplete offset (the commit point), and
 * how many are held back because their loop is full. Records arrive from the consumer
 * thread and complete on loop threads.
 */
final class PartitionTracker {

	private final String groupId;

	private final TopicPartition partition;

	// incomplete offsets and how many deliveries of each are in flight; guarded by this
	private final TreeMap<Long, Integer> incomplete = new TreeMap<>();

	// highest offset handed to the loops; guarded by this
	private long highest = -1;

	// records waiting for room on their loop; guarded by this
	private int held;

	// container asked to pause the partition while records are held; guarded by this
	private @Nullable MessageListenerContainer pausedBy;

	// futures completed when nothing is in flight; guarded by this
	private final List<CompletableFuture<Void>> idleWaiters = new ArrayList<>();

	PartitionTracker(String groupId, TopicPartition partition) {
		this.groupId = groupId;
		this.partition = partition;
	}

	String groupId() {
		return this.groupId;
	}

	TopicPartition partition() {
		return this.partition;
	}

	synchronized void started(long offset) {
		this.incomplete.merge(offset, 1, Integer::sum);
		this.highest = Math.max(this.highest, offset);
	}

	void finished(long offset) {
		List<CompletableFuture<Void>> waiters = null;
		synchronized (this) {
			this.incomplete.computeIfPresent(offset, (key, count) -> (count > 1) ? count - 1 : null);
			if (this.incomplete.isEmpty() && !this.idleWaiters.isEmpty()) {
				waiters = new ArrayList<>(this.idleWaiters);
				this.idleWaiters.clear();
			}
		}
		if (waiters != null) {
			waiters.forEach((waiter) -> waiter.complete(null));
		}
	}

	/**
	 * Count a record held back; return {@code true} if it is the first, so the partition
	 * is to be paused.
	 */
	synchronized boolean hold(@Nullable MessageListenerContainer container) {
		this.held++;
		if (this.held == 1 && container != null) {
			this.pausedBy = container;
			return true;
		}
		return false;
	}

	/**
	 * Count a held record released to its loop; return the container to resume the
	 * partition on when it was the last one.
	 */
	synchronized @Nullable MessageListenerContainer release() {
		this.held--;
		if (this.held == 0) {
			MessageListenerContainer container = this.pausedBy;
			this.pausedBy = null;
			return container;
		}
		return null;
	}

	synchronized CompletableFuture<Void> whenIdle() {
		if (this.incomplete.isEmpty()) {
			return CompletableFuture.completedFuture(null);
		}
		CompletableFuture<Void> waiter = new CompletableFuture<>();
		this.idleWaiters.add(waiter);
		return waiter;
	}

	synchronized int inFlight() {
		int count = 0;
		for (int deliveries : this.incomplete.values()) {
			count += deliveries;
		}
		return count;
	}

	synchronized int held() {
		return this.held;
	}

	synchronized boolean paused() {
		return this.pausedBy != null;
	}

	/**
	 * Records from the commit point (the lowest incomplete offset) to the highest offset
	 * handed to the loops: what a crash now would deliver again.
	 */
	synchronized long commitLag() {
		return this.incomplete.isEmpty() ? 0 : this.highest + 1 - this.incomplete.firstKey();
	}

}
