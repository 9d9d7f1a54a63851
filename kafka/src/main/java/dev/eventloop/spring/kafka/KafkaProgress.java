package dev.eventloop.spring.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.common.TopicPartition;

/**
 * What the dispatcher notices on the way and an operator wants to know: records in flight
 * for longer than the slow-record threshold, records skipped because their previous owner
 * completed them, commits whose metadata did not fit. Each is counted (the
 * {@code eventloop.kafka.*} counters read these) and logged once.
 */
final class KafkaProgress {

	private static final Log logger = LogFactory.getLog(KafkaProgress.class);

	private final long slowNanos;

	private final AtomicLong slowRecords = new AtomicLong();

	private final AtomicLong metadataOverflows = new AtomicLong();

	private final AtomicLong skippedRecords = new AtomicLong();

	// partitions already warned about
	private final Set<TopicPartition> warned = ConcurrentHashMap.newKeySet();

	KafkaProgress(Duration slowRecordThreshold) {
		this.slowNanos = slowRecordThreshold.toNanos();
	}

	/**
	 * The commit metadata of a partition did not fit: the plain commit point is
	 * committed.
	 */
	void metadataOverflow(PartitionTracker tracker) {
		this.metadataOverflows.incrementAndGet();
		if (this.warned.add(tracker.partition())) {
			logger.warn("The records completed beyond the commit point of " + tracker.partition()
					+ " do not fit into the commit's metadata (" + CompletedOffsets.MAX_METADATA_LENGTH
					+ " characters), so the commit point alone is committed: after a takeover they run again."
					+ " Counted in eventloop.kafka.commit.metadata.overflows; logged once per partition.");
		}
	}

	/**
	 * Log, once each, the records of the current consumer's partitions running on their
	 * loop for longer than the slow-record threshold (records waiting behind them show in
	 * the waiting meters instead). Consumer thread, once per commit interval.
	 */
	void reportSlow(Collection<PartitionTracker> trackers) {
		long now = System.nanoTime();
		for (PartitionTracker tracker : trackers) {
			for (PartitionTracker.SlowRecord slow : tracker.newlySlow(now, this.slowNanos)) {
				report(tracker, slow, "has been running");
			}
		}
	}

	/**
	 * A record completed: log it if it ran longer than the slow-record threshold and was
	 * not reported while it ran (it completed between two reports). Any thread; a
	 * volatile read and a clock read for a record that was not slow.
	 */
	void completed(PartitionTracker tracker, long offset, PartitionTracker.InFlight record) {
		long now = System.nanoTime();
		if (!record.ranLongerThan(now, this.slowNanos)) {
			return;
		}
		PartitionTracker.SlowRecord slow = tracker.slowAtCompletion(offset, record, now, this.slowNanos);
		if (slow != null) {
			report(tracker, slow, "ran");
		}
	}

	private void report(PartitionTracker tracker, PartitionTracker.SlowRecord slow, String how) {
		this.slowRecords.incrementAndGet();
		logger.warn("Record " + tracker.partition() + "@" + slow.offset() + " (key " + slow.key()
				+ ") of consumer group '" + tracker.groupId() + "' " + how + " on event loop '" + slow.loop() + "' for "
				+ Duration.ofNanos(slow.ageNanos()).toMillis()
				+ " ms, longer than eventloop.kafka.slow-record-threshold; meanwhile it held the commit point of its"
				+ " partition and the records of its key");
	}

	/**
	 * A record was skipped: the commit metadata says its previous owner completed it.
	 */
	void skipped() {
		this.skippedRecords.incrementAndGet();
	}

	long slowRecords() {
		return this.slowRecords.get();
	}

	long metadataOverflows() {
		return this.metadataOverflows.get();
	}

	long skippedRecords() {
		return this.skippedRecords.get();
	}

}
