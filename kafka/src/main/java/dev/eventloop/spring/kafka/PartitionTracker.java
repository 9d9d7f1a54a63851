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
 * and not yet completed: how many, the commit point (every record below it has completed
 * or been recovered), the offset last committed, and how many records are held back
 * because their loop is full. Records arrive from the consumer thread and complete on
 * loop threads; commits are made on the consumer thread.
 */
final class PartitionTracker {

	private final String groupId;

	private final TopicPartition partition;

	// incomplete offsets and how many deliveries of each are in flight; guarded by this
	private final TreeMap<Long, Integer> incomplete = new TreeMap<>();

	// highest offset handed to the loops; guarded by this
	private long highest = -1;

	// lowest offset of a record given up without being acknowledged (the commit point
	// never passes it); guarded by this
	private long abandoned = Long.MAX_VALUE;

	// offset last committed (or, before the first commit, the first offset seen: nothing
	// below it is this tracker's to commit); guarded by this
	private long committed = -1;

	// offset of the commit in flight, at least committed; guarded by this
	private long requested = -1;

	// records waiting for room on their loop; guarded by this
	private int held;

	// container asked to pause the partition while records are held; guarded by this
	private @Nullable MessageListenerContainer pausedBy;

	// whether the partition was revoked or lost since; guarded by this
	private boolean forgotten;

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
		if (this.committed < 0) {
			this.committed = offset;
			this.requested = offset;
		}
	}

	/**
	 * Stop counting a record as in flight without acknowledging it: the commit point
	 * stays at or below its offset, so that it is delivered again after a restart or
	 * rebalance.
	 */
	void abandoned(long offset) {
		synchronized (this) {
			this.abandoned = Math.min(this.abandoned, offset);
		}
		finished(offset);
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
		if (this.held == 1 && container != null && !this.forgotten) {
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

	/**
	 * The partition is no longer its consumer's: from now on its held records neither
	 * pause nor resume it. Return the container to resume it on, if it is paused for
	 * them.
	 */
	synchronized @Nullable MessageListenerContainer forget() {
		this.forgotten = true;
		MessageListenerContainer container = this.pausedBy;
		this.pausedBy = null;
		return container;
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
	 * The offset to commit: every record below it has completed (or been recovered by the
	 * error handler), and none has been given up; {@code -1} before the first record.
	 */
	synchronized long commitPoint() {
		if (this.highest < 0) {
			return -1;
		}
		long point = this.incomplete.isEmpty() ? this.highest + 1 : this.incomplete.firstKey();
		return Math.min(point, this.abandoned);
	}

	/**
	 * The commit point if it is past the offset last committed or requested, so that a
	 * commit of it is to be requested, otherwise {@code -1}.
	 */
	synchronized long progressed() {
		long point = commitPoint();
		return (point > this.requested) ? point : -1;
	}

	synchronized void commitRequested(long offset) {
		this.requested = Math.max(this.requested, offset);
	}

	synchronized void commitSucceeded(long offset) {
		this.committed = Math.max(this.committed, offset);
		this.requested = Math.max(this.requested, this.committed);
	}

	synchronized void commitFailed() {
		this.requested = this.committed;
	}

	/**
	 * Records from the offset last committed to the highest offset handed to the loops:
	 * what a crash now would deliver again.
	 */
	synchronized long commitLag() {
		return (this.highest < 0) ? 0 : this.highest + 1 - this.committed;
	}

}
