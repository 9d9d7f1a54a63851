package dev.eventloop.spring.kafka;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import dev.eventloop.EventLoop;
import dev.eventloop.KeyLanes;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.event.ConsumerStartingEvent;
import org.springframework.kafka.event.ConsumerStoppedEvent;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.ListenerExecutionFailedException;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.support.KafkaUtils;
import org.springframework.util.backoff.FixedBackOff;

/**
 * Takes the records of {@code @KafkaListener @OnEventLoop} methods and keeps account of
 * them until they complete:
 * <ul>
 * <li>each consumer admits at most {@code max-in-flight} records not yet completed; the
 * rest wait in its {@link ConsumerSession}, their partitions paused;</li>
 * <li>an admitted record waits in the {@link KeyLanes} until the previous record of its
 * key (or partition) has completed, unless unordered;</li>
 * <li>then its loop's {@link LoopLane} hands it to the loop when the loop has room;</li>
 * <li>the container is told a record is done as soon as it is taken, so that it keeps
 * polling, while the partition's {@link PartitionTracker} keeps the commit point below
 * every record that has not completed and knows which ones beyond it have (the
 * {@link CommittingConsumer} commits both);</li>
 * <li>a failed record goes to the container's {@link CommonErrorHandler}, one record per
 * partition at a time, on its consumer's thread (with the consumer), and is retried on
 * its loop after the handler's back-off, measured by a {@link LoopBackOffHandler}; its
 * key waits meanwhile;</li>
 * <li>a consumer whose partitions are revoked drops their records that have not started,
 * waits for those in flight and commits them.</li>
 * </ul>
 */
public final class KafkaRecordDispatcher implements DisposableBean {

	private static final Log logger = LogFactory.getLog(KafkaRecordDispatcher.class);

	private final int highWaterMark;

	private final int maxInFlight;

	private final RecordOrdering ordering;

	private final Duration revocationTimeout;

	private final Duration commitInterval;

	private final long slowNanos;

	// lanes by loop, created on first use by consumer threads
	private final Map<EventLoop, LoopLane> lanes = new ConcurrentHashMap<>();

	// records waiting for an earlier record of their key or partition, any thread
	private final KeyLanes<RecordWork> keyLanes = new KeyLanes<>();

	// records in flight by consumer group and partition, created by consumer threads,
	// removed by them when the partition is revoked or lost
	private final Map<GroupPartition, PartitionTracker> partitions = new ConcurrentHashMap<>();

	// completed offsets read from the commit metadata of partitions just assigned, taken
	// by their trackers when created; consumer threads only (each its own partitions)
	private final Map<GroupPartition, NavigableMap<Long, Long>> completedAhead = new ConcurrentHashMap<>();

	// consumer groups with records handed to the loops, added by consumer threads
	private final Set<String> groups = ConcurrentHashMap.newKeySet();

	// the session of each consumer thread, from its ConsumerStartingEvent to its
	// ConsumerStoppedEvent
	private final Map<Thread, ConsumerSession> sessions = new ConcurrentHashMap<>();

	// consumer threads whose consumer commits the loops' progress, written by the
	// consumer thread on its first poll and when it closes the consumer
	private final Set<Thread> committing = ConcurrentHashMap.newKeySet();

	// containers and error handlers already warned about
	private final Set<Object> warned = ConcurrentHashMap.newKeySet();

	// failed records waiting for the error handler, by partition; guarded by the map
	private final Map<PartitionTracker, ArrayDeque<FailedRecord>> failures = new ConcurrentHashMap<>();

	// the handler used for containers that have none, as the container itself would
	private final DefaultErrorHandler fallbackErrorHandler = new DefaultErrorHandler(null, new FixedBackOff(0, 9),
			new LoopBackOffHandler());

	// offers records again to loops that refused them (their queue full of other work)
	private final ScheduledExecutorService retries = Executors
		.newSingleThreadScheduledExecutor(daemon("eventloop-kafka-retry"));

	// told of partitions tracked and forgotten, to give each its meters; set once, at
	// startup, by the meter binder
	private volatile PartitionListener partitionListener = PartitionListener.NONE;

	private final AtomicLong slowRecords = new AtomicLong();

	private final AtomicLong metadataOverflows = new AtomicLong();

	private final AtomicLong skippedRecords = new AtomicLong();

	/**
	 * Create a dispatcher.
	 * @param settings the settings, checked by the caller
	 */
	public KafkaRecordDispatcher(Settings settings) {
		this.highWaterMark = settings.highWaterMark();
		this.maxInFlight = settings.maxInFlight();
		this.ordering = settings.ordering();
		this.revocationTimeout = settings.revocationTimeout();
		this.commitInterval = settings.commitInterval();
		this.slowNanos = settings.slowRecordThreshold().toNanos();
	}

	Duration commitInterval() {
		return this.commitInterval;
	}

	RecordOrdering ordering() {
		return this.ordering;
	}

	/**
	 * Whether the current thread is the consumer thread of a listener container, that is,
	 * whether the listener call being made is a record delivery.
	 */
	boolean onConsumerThread() {
		return this.sessions.containsKey(Thread.currentThread());
	}

	/**
	 * Whether the consumer of the current consumer thread is a
	 * {@link CommittingConsumer}, so that records can be handed to the loops before they
	 * have completed. When it is not (its consumer factory ignores post-processors), the
	 * records of that container are left to the {@code @OnEventLoop} advice and Spring
	 * Kafka's own acknowledgement of futures; that is logged once per container.
	 */
	boolean committing() {
		Thread thread = Thread.currentThread();
		if (this.committing.contains(thread)) {
			return true;
		}
		ConsumerSession session = this.sessions.get(thread);
		if (session != null && this.warned.add(session.container())) {
			logger.warn("The consumer of listener container '" + session.container().getListenerId()
					+ "' was not created through a consumer factory that applies post-processors, so records of its"
					+ " @OnEventLoop listeners are neither held back when their loop is full nor committed by the"
					+ " event-loop starter: create consumers with a DefaultKafkaConsumerFactory (as Spring Boot"
					+ " does), or a factory that implements addPostProcessor");
		}
		return false;
	}

	void consumerPolling(Consumer<?, ?> consumer) {
		this.committing.add(Thread.currentThread());
		ConsumerSession session = this.sessions.get(Thread.currentThread());
		if (session != null) {
			session.polling(consumer);
		}
	}

	void consumerClosing() {
		this.committing.remove(Thread.currentThread());
	}

	@Nullable ConsumerSession session() {
		return this.sessions.get(Thread.currentThread());
	}

	/**
	 * Take a record delivered on the current consumer thread and return the future its
	 * container acknowledges it by: already complete, as the record is now the starter's
	 * to complete, commit or hand to the error handler.
	 * @param record the record
	 * @param loop the loop its key maps to
	 * @param key its key, or {@code null} when it has none (its key expression failed)
	 * @param ordering the ordering of its listener
	 * @param invocation the listener call to make on the loop
	 */
	CompletableFuture<@Nullable Object> dispatch(ConsumerRecord<?, ?> record, EventLoop loop, @Nullable Object key,
			RecordOrdering ordering, RecordWork.ListenerInvocation invocation) {
		ConsumerSession session = this.sessions.get(Thread.currentThread());
		String groupId = session.container().getGroupId();
		GroupPartition id = new GroupPartition((groupId != null) ? groupId : "", topicPartition(record));
		PartitionTracker partition = this.partitions.computeIfAbsent(id, (created) -> {
			this.groups.add(created.groupId());
			NavigableMap<Long, Long> ahead = this.completedAhead.remove(created);
			PartitionTracker tracker = new PartitionTracker(created.groupId(), created.partition(),
					(ahead != null) ? ahead : new TreeMap<>());
			this.partitionListener.tracked(tracker);
			return tracker;
		});
		if (!partition.started(record.offset(), System.nanoTime())) {
			this.skippedRecords.incrementAndGet();
			return CompletableFuture.completedFuture(null);
		}
		LoopLane lane = this.lanes.computeIfAbsent(loop,
				(created) -> new LoopLane(created, this.highWaterMark, this.retries));
		Object laneKey = switch (ordering) {
			case KEY -> (key != null) ? new LaneKey(partition, key) : null;
			case PARTITION -> partition;
			case UNORDERED -> null;
		};
		RecordWork work = new RecordWork(this, record, invocation, lane, partition, session, laneKey);
		if (session.admit(work)) {
			admitted(work);
		}
		else {
			work.held();
		}
		return CompletableFuture.completedFuture(null);
	}

	/**
	 * An admitted record enters the lane of its key, and starts if the key is idle.
	 */
	private void admitted(RecordWork work) {
		Object laneKey = work.laneKey();
		if (laneKey == null || this.keyLanes.enter(laneKey, work)) {
			start(work);
		}
		else {
			work.partition().waitingForKey(1);
			work.lane().waitingForKey(1);
		}
	}

	/**
	 * Start a record whose turn has come: hand it to its loop lane, or, if its partition
	 * has been revoked meanwhile, drop it and start the next of its key instead.
	 */
	private void start(RecordWork first) {
		RecordWork work = first;
		while (work != null) {
			if (!work.partition().forgotten()) {
				work.offerToLane();
				return;
			}
			work = completeAndNext(work, false);
		}
	}

	/**
	 * A record is done with: succeeded or recovered ({@code acknowledged}), or given up
	 * so that it is delivered again. Start what its completion lets in.
	 */
	void completed(RecordWork work, boolean acknowledged) {
		RecordWork next = completeAndNext(work, acknowledged);
		if (next != null) {
			start(next);
		}
	}

	private @Nullable RecordWork completeAndNext(RecordWork work, boolean acknowledged) {
		long offset = work.record().offset();
		if (acknowledged) {
			work.partition().finished(offset);
		}
		else {
			work.partition().abandoned(offset);
		}
		if (work.onLane()) {
			work.lane().completed();
		}
		if (!this.failures.isEmpty()) {
			resolved(work);
		}
		RecordWork admitted = work.session().completed();
		if (admitted != null) {
			admitted.released();
			admitted(admitted);
		}
		Object laneKey = work.laneKey();
		RecordWork next = (laneKey != null) ? this.keyLanes.leave(laneKey) : null;
		if (next != null) {
			next.partition().waitingForKey(-1);
			next.lane().waitingForKey(-1);
		}
		return next;
	}

	/**
	 * Whether records of a consumer group have been handed to the loops, so that its
	 * consumers commit their progress.
	 */
	boolean dispatching(String groupId) {
		return this.groups.contains(groupId);
	}

	/**
	 * The tracker of a partition of a consumer group, or {@code null} if no record of it
	 * is the starter's.
	 */
	@Nullable PartitionTracker tracker(String groupId, TopicPartition partition) {
		return this.partitions.get(new GroupPartition(groupId, partition));
	}

	/**
	 * Pass a failed record to the error handler, after the failures of its partition that
	 * came before it. Its key waits meanwhile.
	 */
	void failed(RecordWork work, Throwable failure) {
		if (work.partition().forgotten()) {
			completed(work, false);
			return;
		}
		FailedRecord failed = new FailedRecord(work, failure);
		boolean first;
		synchronized (this.failures) {
			ArrayDeque<FailedRecord> queue = this.failures.computeIfAbsent(work.partition(),
					(key) -> new ArrayDeque<>());
			FailedRecord current = queue.peek();
			if (current != null && current.work() == work) {
				queue.poll();
				queue.addFirst(failed);
				first = true;
			}
			else {
				queue.add(failed);
				first = queue.size() == 1;
			}
		}
		if (first) {
			work.session().onConsumerThread(() -> handle(failed));
		}
	}

	/**
	 * Hand a failed record to the error handler. Consumer thread only: the handler gets
	 * the consumer, and counts attempts per thread and partition as in the container.
	 */
	private void handle(FailedRecord failed) {
		RecordWork work = failed.work();
		MessageListenerContainer container = work.container();
		Consumer<?, ?> consumer = work.session().consumer();
		if (work.partition().forgotten() || !container.isRunning() || consumer == null) {
			completed(work, false);
			return;
		}
		CommonErrorHandler handler = (container instanceof AbstractMessageListenerContainer<?, ?> listenerContainer)
				? listenerContainer.getCommonErrorHandler() : null;
		CommonErrorHandler errorHandler = (handler != null) ? handler : this.fallbackErrorHandler;
		boolean recovered = false;
		long backOff;
		LoopBackOffHandler.record();
		try {
			recovered = errorHandler.handleOne(wrap(failed, container), work.record(), consumer, container);
		}
		catch (RuntimeException ex) {
			logger.error("Error handler " + errorHandler + " failed for record " + describe(work.record())
					+ "; delivering it again", ex);
		}
		finally {
			backOff = LoopBackOffHandler.recorded();
		}
		if (recovered) {
			// done with, acknowledged or not (ackAfterHandle): the container too commits
			// past a record recovered without acknowledgement once a later record of its
			// partition is acknowledged
			completed(work, true);
		}
		else if (container.isRunning() && !work.partition().forgotten()) {
			if (backOff < 0 && this.warned.add(errorHandler)) {
				logger.warn("Error handler " + errorHandler + " of listener container '" + container.getListenerId()
						+ "' is not built with a LoopBackOffHandler, so its back-off, if any, ran on the consumer"
						+ " thread, holding up every partition of the consumer: build it with"
						+ " new DefaultErrorHandler(recoverer, backOff, new LoopBackOffHandler())");
			}
			retry(work, Math.max(0, backOff));
		}
		else {
			completed(work, false);
		}
	}

	/**
	 * Run a failed record again on its loop once its back-off has passed, on the loop's
	 * timer: its key waits, other keys flow.
	 */
	private void retry(RecordWork work, long delayMillis) {
		if (delayMillis == 0) {
			work.lane().offerAgain(work);
			return;
		}
		try {
			work.lane().loop().schedule(() -> work.lane().offerAgain(work), Duration.ofMillis(delayMillis));
		}
		catch (RejectedExecutionException ex) {
			completed(work, false);
		}
	}

	/**
	 * The failed record is done with (it succeeded, was recovered or was given up);
	 * handle the next failure of its partition.
	 */
	private void resolved(RecordWork work) {
		FailedRecord next;
		synchronized (this.failures) {
			ArrayDeque<FailedRecord> queue = this.failures.get(work.partition());
			if (queue == null || queue.peek() == null || queue.peek().work() != work) {
				return;
			}
			queue.poll();
			next = queue.peek();
			if (next == null) {
				this.failures.remove(work.partition());
			}
		}
		if (next != null) {
			FailedRecord handled = next;
			next.work().session().onConsumerThread(() -> handle(handled));
		}
	}

	private static ListenerExecutionFailedException wrap(FailedRecord failed, MessageListenerContainer container) {
		Throwable failure = failed.failure();
		if (failure instanceof ListenerExecutionFailedException listenerFailure) {
			return listenerFailure;
		}
		return new ListenerExecutionFailedException("Listener failed on event loop "
				+ failed.work().lane().loop().name() + " for record " + describe(failed.work().record()),
				container.getGroupId(), failure);
	}

	/**
	 * Read, on the consumer thread, which records beyond the committed offsets of newly
	 * assigned partitions the previous owner completed, so that they are skipped.
	 */
	void assigned(Consumer<?, ?> consumer, Collection<TopicPartition> assigned) {
		String groupId = groupId();
		if (assigned.isEmpty() || !dispatching(groupId)) {
			return;
		}
		Map<TopicPartition, OffsetAndMetadata> committed;
		try {
			committed = consumer.committed(new HashSet<>(assigned), this.revocationTimeout);
		}
		catch (RuntimeException ex) {
			logger.warn(
					"Could not read the commits of partitions " + assigned + " of consumer group '" + groupId
							+ "'; records their previous owner completed after its commit point are processed again",
					ex);
			return;
		}
		committed.forEach((partition, offset) -> {
			if (offset != null) {
				NavigableMap<Long, Long> ahead = CompletedOffsets.decode(offset.offset(), offset.metadata());
				if (!ahead.isEmpty()) {
					this.completedAhead.put(new GroupPartition(groupId, partition), ahead);
				}
			}
		});
	}

	/**
	 * Wait, on the consumer thread, for the records in flight of partitions being revoked
	 * from it, so that their offsets are committed before another consumer takes the
	 * partitions over. Records of them that have not started are dropped: the next owner
	 * runs them.
	 */
	void awaitRevoked(Collection<TopicPartition> revoked) {
		String groupId = groupId();
		List<CompletableFuture<Void>> idle = new ArrayList<>();
		Set<PartitionTracker> trackers = new HashSet<>();
		for (TopicPartition partition : revoked) {
			PartitionTracker tracker = this.partitions.get(new GroupPartition(groupId, partition));
			if (tracker != null) {
				tracker.revoking();
				trackers.add(tracker);
			}
		}
		if (trackers.isEmpty()) {
			return;
		}
		dropNotStarted(trackers);
		for (PartitionTracker tracker : trackers) {
			idle.add(tracker.whenIdle());
		}
		CompletableFuture<Void> all = CompletableFuture.allOf(idle.toArray(CompletableFuture[]::new));
		ConsumerSession session = session();
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
	 * Drop the records of revoked partitions that wait for admission or for their key.
	 */
	private void dropNotStarted(Set<PartitionTracker> trackers) {
		for (ConsumerSession session : this.sessions.values()) {
			for (RecordWork work : session.removeWaiting((candidate) -> trackers.contains(candidate.partition()))) {
				work.released();
				work.partition().abandoned(work.record().offset());
			}
		}
		for (RecordWork work : this.keyLanes.removeWaiting((candidate) -> trackers.contains(candidate.partition()))) {
			work.partition().waitingForKey(-1);
			work.lane().waitingForKey(-1);
			work.partition().abandoned(work.record().offset());
			// it was admitted: the next record waiting for admission takes its place
			RecordWork admitted = work.session().completed();
			if (admitted != null) {
				admitted.released();
				admitted(admitted);
			}
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

	/**
	 * Forget partitions that are no longer the current consumer's; records of them still
	 * in flight complete on trackers no consumer commits from.
	 */
	void forget(Collection<TopicPartition> partitions) {
		String groupId = groupId();
		for (TopicPartition partition : partitions) {
			this.completedAhead.remove(new GroupPartition(groupId, partition));
			PartitionTracker tracker = this.partitions.remove(new GroupPartition(groupId, partition));
			if (tracker != null) {
				this.partitionListener.forgotten(tracker);
			}
			MessageListenerContainer pausedBy = (tracker != null) ? tracker.forget() : null;
			if (pausedBy != null) {
				// the pause was for records the next owner fetches again; if the
				// partition comes back here, its new tracker pauses it for its own
				pausedBy.resumePartition(partition);
			}
		}
	}

	/**
	 * The commit metadata of a partition did not fit: commit the plain commit point.
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
	 * Log, once each, the records of the current consumer's partitions in flight for
	 * longer than the slow-record threshold. Consumer thread.
	 */
	void reportSlow(Collection<PartitionTracker> trackers) {
		long now = System.nanoTime();
		for (PartitionTracker tracker : trackers) {
			tracker.newlySlow(now, this.slowNanos).forEach((offset, age) -> {
				this.slowRecords.incrementAndGet();
				logger.warn("Record " + tracker.partition() + "@" + offset + " of consumer group '" + tracker.groupId()
						+ "' has been in flight for " + Duration.ofNanos(age).toMillis()
						+ " ms, longer than eventloop.kafka.slow-record-threshold; it holds the commit point of its"
						+ " partition and the records of its key");
			});
		}
	}

	void consumerEvent(Object event) {
		if (event instanceof ConsumerStartingEvent starting) {
			this.sessions.put(Thread.currentThread(), new ConsumerSession(
					starting.getSource(MessageListenerContainer.class), Thread.currentThread(), this.maxInFlight));
		}
		else if (event instanceof ConsumerStoppedEvent stopped) {
			MessageListenerContainer container = stopped.getSource(MessageListenerContainer.class);
			this.sessions.values().removeIf((candidate) -> candidate.container() == container);
		}
	}

	TopicPartition topicPartition(ConsumerRecord<?, ?> record) {
		return new TopicPartition(record.topic(), record.partition());
	}

	Collection<LoopLane> lanes() {
		return this.lanes.values();
	}

	Collection<PartitionTracker> partitions() {
		return this.partitions.values();
	}

	@Nullable LoopLane lane(EventLoop loop) {
		return this.lanes.get(loop);
	}

	KeyLanes<RecordWork> keyLanes() {
		return this.keyLanes;
	}

	void partitionListener(PartitionListener listener) {
		this.partitionListener = listener;
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

	/**
	 * The consumer group of the current consumer thread. Read from its container: the
	 * container clears its thread-local group id before the final revocation at stop.
	 */
	private String groupId() {
		ConsumerSession session = this.sessions.get(Thread.currentThread());
		String groupId = (session != null) ? session.container().getGroupId() : KafkaUtils.getConsumerGroupId();
		return (groupId != null) ? groupId : "";
	}

	@Override
	public void destroy() {
		this.retries.shutdownNow();
	}

	private static ThreadFactory daemon(String name) {
		return (runnable) -> {
			Thread thread = new Thread(runnable, name);
			thread.setDaemon(true);
			return thread;
		};
	}

	static String describe(ConsumerRecord<?, ?> record) {
		return record.topic() + "-" + record.partition() + "@" + record.offset();
	}

	/**
	 * The dispatcher's settings.
	 *
	 * @param highWaterMark records of one loop queued on it at most
	 * @param maxInFlight records of one consumer taken and not yet completed at most
	 * @param ordering the ordering of listeners that do not set their own
	 * @param revocationTimeout how long a revocation waits for records in flight
	 * @param commitInterval time between commits
	 * @param slowRecordThreshold time in flight after which a record is reported
	 */
	public record Settings(int highWaterMark, int maxInFlight, RecordOrdering ordering, Duration revocationTimeout,
			Duration commitInterval, Duration slowRecordThreshold) {
	}

	private record GroupPartition(String groupId, TopicPartition partition) {
	}

	/**
	 * Told of each partition tracked and forgotten, on its consumer thread.
	 */
	interface PartitionListener {

		PartitionListener NONE = new PartitionListener() {
		};

		default void tracked(PartitionTracker partition) {
		}

		default void forgotten(PartitionTracker partition) {
		}

	}

	/**
	 * The lane key of a record under key ordering: its key, within its partition.
	 */
	private record LaneKey(PartitionTracker partition, Object key) {

		@Override
		public String toString() {
			return this.partition.partition() + ":" + this.key;
		}

	}

	private record FailedRecord(RecordWork work, Throwable failure) {
	}

}
