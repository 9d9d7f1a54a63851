package dev.eventloop.spring.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * The records of one partition of one consumer group that have been handed to the starter
 * and not yet completed: the commit point (every record below it has completed or been
 * recovered), which offsets beyond it have completed (written into the commit's metadata
 * and, for a partition taken over, read from it to skip them), the offset last committed,
 * and the records held back. Records arrive on the consumer thread and complete on loop
 * threads; commits are made on the consumer thread. Every field is guarded by this.
 */
final class PartitionTracker {

	private final String groupId;

	private final TopicPartition partition;

	// records not yet completed, by offset
	private final TreeMap<Long, InFlight> incomplete = new TreeMap<>();

	// offsets of records given up without being acknowledged: the commit point never
	// passes them and the metadata never calls them completed
	private final TreeSet<Long> abandoned = new TreeSet<>();

	// completed ranges (start to end, exclusive) read from the metadata of the commit
	// this
	// consumer took the partition over at: their records are skipped
	private final NavigableMap<Long, Long> completedAhead;

	// highest offset handed to the starter
	private long highest = -1;

	// offset last committed (or, before the first commit, the first offset seen)
	private long committed = -1;

	// offset of the commit in flight, at least committed
	private long requested = -1;

	// metadata of the commit in flight or last made
	private String requestedMetadata = "";

	// records held back (their loop or their consumer is at its bound): they pause the
	// partition
	private int held;

	// records waiting for an earlier record of their key (or partition) to complete
	private int waiting;

	// records skipped because the previous owner had completed them
	private long skipped;

	// container asked to pause the partition while records are held
	// the container of the consumer holding records of it; guarded by this
	private @Nullable MessageListenerContainer container;

	// whether the container was asked to pause the partition; written by the consumer
	// thread only (applyPause), read by any
	private volatile boolean pauseRequested;

	// whether the partition was revoked or lost since
	private boolean forgotten;

	// futures completed when nothing is in flight
	private final List<CompletableFuture<Void>> idleWaiters = new ArrayList<>();

	PartitionTracker(String groupId, TopicPartition partition, NavigableMap<Long, Long> completedAhead) {
		this.groupId = groupId;
		this.partition = partition;
		this.completedAhead = completedAhead;
	}

	String groupId() {
		return this.groupId;
	}

	TopicPartition partition() {
		return this.partition;
	}

	/**
	 * Take a record: return {@code null} when the previous owner of the partition had
	 * completed it, so it is not to run (it counts as completed), otherwise track it and
	 * return its entry, which its run marks as running.
	 */
	synchronized @Nullable InFlight started(long offset, long nowNanos, @Nullable Object key, String loop) {
		this.highest = Math.max(this.highest, offset);
		if (this.committed < 0) {
			this.committed = offset;
			this.requested = offset;
		}
		if (CompletedOffsets.contains(this.completedAhead, offset)) {
			this.skipped++;
			return null;
		}
		InFlight record = this.incomplete.get(offset);
		if (record != null) {
			record.deliveries++;
		}
		else {
			record = new InFlight(nowNanos, key, loop);
			this.incomplete.put(offset, record);
		}
		return record;
	}

	/**
	 * Stop counting a record as in flight without acknowledging it: the commit point
	 * stays at or below its offset, so that it is delivered again after a restart or
	 * rebalance.
	 */
	void abandoned(long offset) {
		synchronized (this) {
			this.abandoned.add(offset);
		}
		finished(offset);
	}

	void finished(long offset) {
		List<CompletableFuture<Void>> waiters = null;
		synchronized (this) {
			this.incomplete.computeIfPresent(offset, (key, record) -> (--record.deliveries > 0) ? record : null);
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
	 * Count a record held back (for a full loop or consumer); return {@code true} if it
	 * is the first, so that the partition's pause is to be brought up to date. Any
	 * thread.
	 */
	synchronized boolean hold(MessageListenerContainer container) {
		this.held++;
		this.container = container;
		return this.held == 1;
	}

	/**
	 * Count a held record let go (to its loop, or dropped); return {@code true} if it was
	 * the last, so that the partition's pause is to be brought up to date. Any thread.
	 */
	synchronized boolean release() {
		this.held--;
		return this.held == 0;
	}

	/**
	 * Bring the container's pause of the partition up to date: paused while records of it
	 * are held, unless it has been forgotten. Consumer thread only, so that pauses and
	 * resumes asked for by several threads are applied in one order, each reading the
	 * latest count (a resume can no longer overtake the pause it undoes).
	 * @return whether the container was asked to pause or resume the partition
	 */
	boolean applyPause() {
		MessageListenerContainer target;
		boolean pause;
		synchronized (this) {
			target = this.container;
			pause = this.held > 0 && !this.forgotten;
		}
		if (target == null || pause == this.pauseRequested) {
			return false;
		}
		this.pauseRequested = pause;
		if (pause) {
			target.pausePartition(this.partition);
		}
		else {
			target.resumePartition(this.partition);
		}
		return true;
	}

	synchronized void waitingForKey(int delta) {
		this.waiting += delta;
	}

	/**
	 * The partition is no longer its consumer's: from now on its held records neither
	 * pause nor resume it, and records that have not started are dropped. Resume it if it
	 * is paused for them: the next owner fetches them again, and if the partition comes
	 * back here, its new tracker pauses it for its own. Consumer thread only.
	 */
	void forget() {
		synchronized (this) {
			this.forgotten = true;
		}
		applyPause();
	}

	/**
	 * The partition is being revoked: records that have not started are dropped, and held
	 * ones no longer pause it (a pause already asked for is lifted when it is forgotten).
	 */
	synchronized void revoking() {
		this.forgotten = true;
	}

	synchronized boolean forgotten() {
		return this.forgotten;
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
		for (InFlight record : this.incomplete.values()) {
			count += record.deliveries;
		}
		return count;
	}

	synchronized int held() {
		return this.held;
	}

	synchronized int waiting() {
		return this.waiting;
	}

	synchronized long skipped() {
		return this.skipped;
	}

	boolean paused() {
		return this.pauseRequested;
	}

	/**
	 * How long the oldest record in flight has been, or 0 when none is.
	 */
	synchronized long oldestAgeNanos(long nowNanos) {
		long oldest = nowNanos;
		for (InFlight record : this.incomplete.values()) {
			oldest = Math.min(oldest, record.startedNanos);
		}
		return nowNanos - oldest;
	}

	/**
	 * Return the records running for longer than the threshold that have not been
	 * reported yet, in offset order, and mark them reported.
	 */
	synchronized List<SlowRecord> newlySlow(long nowNanos, long thresholdNanos) {
		List<SlowRecord> slow = new ArrayList<>();
		for (Map.Entry<Long, InFlight> entry : this.incomplete.entrySet()) {
			InFlight record = entry.getValue();
			if (!record.reportedSlow && record.runningNanos >= 0 && nowNanos - record.runningNanos > thresholdNanos) {
				record.reportedSlow = true;
				slow.add(new SlowRecord(entry.getKey(), record.key, record.loop, nowNanos - record.runningNanos));
			}
		}
		return slow;
	}

	/**
	 * A record completes after running for longer than the threshold: return it as slow
	 * unless it was reported while it ran, and mark it reported. Any thread.
	 */
	synchronized @Nullable SlowRecord slowAtCompletion(long offset, InFlight record, long nowNanos,
			long thresholdNanos) {
		long running = record.runningNanos;
		if (record.reportedSlow || running < 0 || nowNanos - running <= thresholdNanos) {
			return null;
		}
		record.reportedSlow = true;
		return new SlowRecord(offset, record.key, record.loop, nowNanos - running);
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
		if (!this.abandoned.isEmpty()) {
			point = Math.min(point, this.abandoned.first());
		}
		// records the previous owner completed, right at the commit point, are done too
		var ahead = this.completedAhead.floorEntry(point);
		while (ahead != null && point >= ahead.getKey() && point < ahead.getValue()
				&& (this.incomplete.isEmpty() || this.incomplete.firstKey() >= ahead.getValue())
				&& (this.abandoned.isEmpty() || this.abandoned.first() >= ahead.getValue())) {
			point = ahead.getValue();
			ahead = this.completedAhead.floorEntry(point);
		}
		return point;
	}

	/**
	 * The metadata to commit with the commit point: which offsets beyond it have
	 * completed; {@code null} when that does not fit into a commit.
	 */
	synchronized @Nullable String metadata(long point) {
		long end = this.highest + 1;
		if (!this.completedAhead.isEmpty()) {
			end = Math.max(end, this.completedAhead.lastEntry().getValue());
		}
		if (end <= point + 1) {
			return "";
		}
		List<long[]> notCompleted = new ArrayList<>();
		TreeSet<Long> open = new TreeSet<>(this.incomplete.tailMap(point, true).keySet());
		open.addAll(this.abandoned.tailSet(point, true));
		for (long offset : open) {
			addRun(notCompleted, offset, offset + 1);
		}
		// beyond the highest offset seen, only what the previous owner completed is done
		long cursor = this.highest + 1;
		for (Map.Entry<Long, Long> range : this.completedAhead.tailMap(cursor, false).entrySet()) {
			if (range.getKey() > cursor) {
				addRun(notCompleted, cursor, range.getKey());
			}
			cursor = Math.max(cursor, range.getValue());
		}
		if (notCompleted.isEmpty() || notCompleted.get(0)[0] != point) {
			// the point itself is a gap offset (a transaction marker, say): nothing to
			// say
			return "";
		}
		return CompletedOffsets.encode(point, notCompleted, end);
	}

	private static void addRun(List<long[]> runs, long start, long end) {
		long[] last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
		if (last != null && last[1] == start) {
			last[1] = end;
		}
		else {
			runs.add(new long[] { start, end });
		}
	}

	/**
	 * Records beyond the commit point that have completed.
	 */
	synchronized long completedBeyondCommit() {
		long point = commitPoint();
		if (point < 0 || this.highest < point) {
			return 0;
		}
		long open = this.incomplete.tailMap(point, true).size() + this.abandoned.tailSet(point, true).size();
		return Math.max(0, this.highest + 1 - point - open);
	}

	/**
	 * The commit point if it, or what has completed beyond it, has moved since the last
	 * commit requested, so that a commit is to be requested, otherwise {@code -1}.
	 */
	synchronized long progressed(String metadata, long point) {
		return (point > this.requested || (point == this.requested && !metadata.equals(this.requestedMetadata))) ? point
				: -1;
	}

	synchronized void commitRequested(long offset, String metadata) {
		if (offset >= this.requested) {
			this.requested = offset;
			this.requestedMetadata = metadata;
		}
	}

	synchronized void commitSucceeded(long offset) {
		this.committed = Math.max(this.committed, offset);
		this.requested = Math.max(this.requested, this.committed);
	}

	synchronized void commitFailed() {
		this.requested = this.committed;
		this.requestedMetadata = "";
	}

	synchronized long committed() {
		return this.committed;
	}

	/**
	 * Records from the offset last committed to the highest offset handed to the loops:
	 * what a crash now would deliver again, were the commit's metadata not read.
	 */
	synchronized long commitLag() {
		return (this.highest < 0) ? 0 : this.highest + 1 - this.committed;
	}

	@Override
	public String toString() {
		return this.partition.toString();
	}

	/**
	 * A record in flight; guarded by the tracker, but for when it started running.
	 */
	static final class InFlight {

		final long startedNanos;

		final @Nullable Object key;

		final String loop;

		// when it first ran on its loop, -1 until then; written by its loop thread, read
		// under the tracker's lock by the consumer thread
		private volatile long runningNanos = -1;

		int deliveries = 1;

		boolean reportedSlow;

		InFlight(long startedNanos, @Nullable Object key, String loop) {
			this.startedNanos = startedNanos;
			this.key = key;
			this.loop = loop;
		}

		/**
		 * Whether the record started running more than the threshold before now.
		 */
		boolean ranLongerThan(long nowNanos, long thresholdNanos) {
			long running = this.runningNanos;
			return running >= 0 && nowNanos - running > thresholdNanos;
		}

		/**
		 * The record starts running on its loop; a retry keeps the first start.
		 */
		void running(long nowNanos) {
			if (this.runningNanos < 0) {
				this.runningNanos = nowNanos;
			}
		}

	}

	/**
	 * A record in flight for longer than the slow-record threshold.
	 */
	record SlowRecord(long offset, @Nullable Object key, String loop, long ageNanos) {
	}

}
