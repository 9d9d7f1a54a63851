package dev.eventloop.spring.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;

import dev.eventloop.EventLoop;
import dev.eventloop.KeyLanes;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.event.ConsumerStartingEvent;
import org.springframework.kafka.event.ConsumerStoppedEvent;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.support.KafkaUtils;

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
 * key waits meanwhile ({@link RecordFailures});</li>
 * <li>a consumer whose partitions are revoked drops their records that have not started,
 * waits for those in flight and commits them ({@link PartitionHandover}).</li>
 * </ul>
 */
public final class KafkaRecordDispatcher implements DisposableBean {

	private static final Log logger = LogFactory.getLog(KafkaRecordDispatcher.class);

	private final int highWaterMark;

	private final int maxInFlight;

	private final RecordOrdering ordering;

	private final Duration revocationTimeout;

	private final Duration commitInterval;

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

	// containers already warned about
	private final Set<Object> warned = ConcurrentHashMap.newKeySet();

	// failed records on their way through the error handler
	private final RecordFailures failures = new RecordFailures(this);

	// offers records again to loops that refused them (their queue full of other work)
	private final ScheduledExecutorService retries = Executors
		.newSingleThreadScheduledExecutor(daemon("eventloop-kafka-retry"));

	// told of partitions tracked and forgotten, to give each its meters; set once, at
	// startup, by the meter binder
	private volatile PartitionListener partitionListener = PartitionListener.NONE;

	private final KafkaProgress progress;

	private final PartitionHandover handover;

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
		this.progress = new KafkaProgress(settings.slowRecordThreshold());
		this.handover = new PartitionHandover(this, this.revocationTimeout);
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
		PartitionTracker partition = this.partitions.get(id);
		if (partition == null) {
			// the first record of the partition since its assignment; only this consumer
			// thread creates its trackers
			NavigableMap<Long, Long> read = this.completedAhead.remove(id);
			NavigableMap<Long, Long> ahead = (read != null) ? read
					: this.handover.completedAhead(session.consumer(), id.groupId(), id.partition());
			partition = new PartitionTracker(id.groupId(), id.partition(), ahead);
			this.groups.add(id.groupId());
			this.partitions.put(id, partition);
			this.partitionListener.tracked(partition);
		}
		PartitionTracker.InFlight inFlight = partition.started(record.offset(), System.nanoTime(), key, loop.name());
		if (inFlight == null) {
			this.progress.skipped();
			return CompletableFuture.completedFuture(null);
		}
		LoopLane lane = this.lanes.computeIfAbsent(loop,
				(created) -> new LoopLane(created, this.highWaterMark, this.retries));
		Object laneKey = switch (ordering) {
			case KEY -> (key != null) ? new LaneKey(partition, key) : null;
			case PARTITION -> partition;
			case UNORDERED -> null;
		};
		RecordWork work = new RecordWork(this, record, invocation, lane, partition, inFlight, session, laneKey);
		boolean admitted;
		boolean idle = false;
		synchronized (session) { // admitted and in its key's lane in one step (admitNext)
			admitted = session.admit(work);
			if (admitted) {
				idle = enterKeyLane(work);
			}
		}
		if (!admitted) {
			work.held();
		}
		else if (idle) {
			start(work);
		}
		return CompletableFuture.completedFuture(null);
	}

	// an admitted record enters its key's lane, under its session's lock: start it?
	private boolean enterKeyLane(RecordWork work) {
		assert Thread.holdsLock(work.session());
		Object laneKey = work.laneKey();
		if (laneKey == null || this.keyLanes.enter(laneKey, work)) {
			return true;
		}
		work.waitingForKey(1);
		return false;
	}

	/**
	 * An admitted record is done with: the oldest record waiting for admission takes its
	 * place. Taken and entered into its key's lane in one step under the session's lock:
	 * two loops completing records at once must not enter a key's records out of order.
	 */
	private void admitNext(ConsumerSession session) {
		RecordWork admitted;
		boolean idle = false;
		synchronized (session) {
			admitted = session.completed();
			if (admitted != null) {
				idle = enterKeyLane(admitted);
			}
		}
		if (admitted != null) {
			admitted.released();
			if (idle) {
				start(admitted);
			}
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
		this.progress.completed(work.partition(), offset, work.inFlight());
		if (acknowledged) {
			work.partition().finished(offset);
		}
		else {
			work.partition().abandoned(offset);
		}
		if (work.onLane()) {
			work.lane().completed();
		}
		this.failures.resolved(work);
		admitNext(work.session());
		Object laneKey = work.laneKey();
		RecordWork next = (laneKey != null) ? this.keyLanes.leave(laneKey) : null;
		if (next != null) {
			next.waitingForKey(-1);
		}
		return next;
	}

	/**
	 * Drop, on the consumer thread, the records of partitions being revoked that have not
	 * started: those waiting for admission, for their key or on a loop timer for their
	 * retry. The next owner runs them.
	 */
	void dropNotStarted(Set<PartitionTracker> revoked) {
		for (ConsumerSession session : this.sessions.values()) {
			for (RecordWork work : session.removeWaiting((candidate) -> revoked.contains(candidate.partition()))) {
				work.released();
				work.partition().abandoned(work.record().offset());
			}
		}
		for (RecordWork work : this.keyLanes.removeWaiting((candidate) -> revoked.contains(candidate.partition()))) {
			work.waitingForKey(-1);
			work.partition().abandoned(work.record().offset());
			admitNext(work.session());
		}
		this.failures.abandonRetries(revoked);
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
	 * A record failed: its key waits while the error handler decides.
	 */
	void failed(RecordWork work, Throwable failure) {
		this.failures.failed(work, failure);
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
			if (tracker != null) {
				tracker.forget();
			}
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

	KafkaProgress progress() {
		return this.progress;
	}

	PartitionHandover handover() {
		return this.handover;
	}

	/**
	 * What a partition's previous owner completed beyond its commit point, read at
	 * assignment and skipped when the partition's records arrive.
	 */
	void completedAhead(String groupId, TopicPartition partition, NavigableMap<Long, Long> completed) {
		this.completedAhead.put(new GroupPartition(groupId, partition), completed);
	}

	/**
	 * The consumer group of the current consumer thread. Read from its container: the
	 * container clears its thread-local group id before the final revocation at stop.
	 */
	String groupId() {
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

}
