package dev.eventloop.spring.kafka;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.eventloop.EventLoop;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.ListenerExecutionFailedException;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.support.KafkaUtils;

/**
 * Hands the records of {@code @KafkaListener @OnEventLoop} methods to their loops and
 * keeps account of them: records a full loop cannot take are held and their partitions
 * paused; the container is told a record is done as soon as it is handed over, so that it
 * keeps polling, while its partition's {@link PartitionTracker} keeps the commit point
 * below every record that has not completed (the {@link CommittingConsumer} leaves the
 * container's commits of the partition out and commits the loops' progress); a failed
 * record goes to the container's {@link CommonErrorHandler}, one record per partition at
 * a time, on an error-handling thread of its consumer group (the handler keeps its retry
 * counts per thread and partition); and a consumer whose partitions are revoked waits for
 * their records in flight and commits them.
 */
public final class KafkaRecordDispatcher implements DisposableBean {

	private static final Log logger = LogFactory.getLog(KafkaRecordDispatcher.class);

	private final int highWaterMark;

	private final Duration revocationTimeout;

	private final Duration commitInterval;

	// lanes by loop, created on first use by consumer threads
	private final Map<EventLoop, LoopLane> lanes = new ConcurrentHashMap<>();

	// records in flight by consumer group and partition, created by consumer threads,
	// removed by them when the partition is revoked or lost
	private final Map<GroupPartition, PartitionTracker> partitions = new ConcurrentHashMap<>();

	// consumer groups with records handed to the loops, added by consumer threads
	private final Set<String> groups = ConcurrentHashMap.newKeySet();

	// the container of each consumer thread, written when the consumer starts and stops
	private final Map<Thread, MessageListenerContainer> containers = new ConcurrentHashMap<>();

	// consumer threads whose consumer commits the loops' progress, written by the
	// consumer thread on its first poll and when it closes the consumer
	private final Set<Thread> committing = ConcurrentHashMap.newKeySet();

	// containers already warned about, for consumers that do not commit the loops'
	// progress
	private final Set<MessageListenerContainer> warned = ConcurrentHashMap.newKeySet();

	// failed records waiting for the error handler, by partition; guarded by the map
	private final Map<PartitionTracker, ArrayDeque<FailedRecord>> failures = new ConcurrentHashMap<>();

	// the handler used for containers that have none, as the container itself would
	private final DefaultErrorHandler fallbackErrorHandler = new DefaultErrorHandler();

	// one error-handling thread per consumer group, created on its first failure: an
	// error handler counts attempts per thread and per topic partition, as a container
	// does on its consumer thread, so groups consuming the same partition must not share
	// a thread
	private final Map<String, ExecutorService> errorHandling = new ConcurrentHashMap<>();

	// whether destroy() has run; new error-handling threads are no longer started
	private volatile boolean destroyed;

	private final ScheduledExecutorService retries = Executors
		.newSingleThreadScheduledExecutor(daemon("eventloop-kafka-retry"));

	public KafkaRecordDispatcher(int highWaterMark, Duration revocationTimeout, Duration commitInterval) {
		if (highWaterMark < 1) {
			throw new IllegalArgumentException("eventloop.kafka.high-water-mark must be at least 1, but was "
					+ highWaterMark + ": set it to the number of records one loop may have queued");
		}
		if (commitInterval.isNegative() || commitInterval.isZero()) {
			throw new IllegalArgumentException("eventloop.kafka.commit-interval must be positive, but was "
					+ commitInterval + ": set it to how often completed records are committed, such as 100ms");
		}
		this.highWaterMark = highWaterMark;
		this.revocationTimeout = revocationTimeout;
		this.commitInterval = commitInterval;
	}

	Duration commitInterval() {
		return this.commitInterval;
	}

	/**
	 * Whether the current thread is the consumer thread of a listener container, that is,
	 * whether the listener call being made is a record delivery.
	 */
	boolean onConsumerThread() {
		return this.containers.containsKey(Thread.currentThread());
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
		MessageListenerContainer container = this.containers.get(thread);
		if (container != null && this.warned.add(container)) {
			logger.warn("The consumer of listener container '" + container.getListenerId()
					+ "' was not created through a consumer factory that applies post-processors, so records of its"
					+ " @OnEventLoop listeners are neither held back when their loop is full nor committed by the"
					+ " event-loop starter: create consumers with a DefaultKafkaConsumerFactory (as Spring Boot"
					+ " does), or a factory that implements addPostProcessor");
		}
		return false;
	}

	void consumerPolling() {
		this.committing.add(Thread.currentThread());
	}

	void consumerClosing() {
		this.committing.remove(Thread.currentThread());
	}

	/**
	 * Take a record delivered on the current consumer thread and return the future its
	 * container acknowledges it by: already complete, as the record is now the starter's
	 * to complete, commit or hand to the error handler.
	 */
	CompletableFuture<@Nullable Object> dispatch(ConsumerRecord<?, ?> record, EventLoop loop,
			RecordWork.ListenerInvocation invocation) {
		MessageListenerContainer container = this.containers.get(Thread.currentThread());
		String groupId = groupId();
		PartitionTracker partition = this.partitions
			.computeIfAbsent(new GroupPartition(groupId, topicPartition(record)), (key) -> {
				this.groups.add(key.groupId());
				return new PartitionTracker(key.groupId(), key.partition());
			});
		LoopLane lane = this.lanes.computeIfAbsent(loop, (key) -> new LoopLane(key, this.highWaterMark, this.retries));
		RecordWork work = new RecordWork(this, record, invocation, lane, partition, container);
		partition.started(record.offset());
		lane.offer(work);
		return CompletableFuture.completedFuture(null);
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
	 * came before it.
	 */
	void failed(RecordWork work, Throwable failure) {
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
			handle(failed);
		}
	}

	private void handle(FailedRecord failed) {
		RecordWork work = failed.work();
		MessageListenerContainer container = work.container();
		if (container == null) {
			logger.error(
					"Listener failed for record " + describe(work.record())
							+ " after its consumer stopped; it is not committed and is delivered again",
					failed.failure());
			resolved(work);
			work.abandoned();
			return;
		}
		CommonErrorHandler handler = (container instanceof AbstractMessageListenerContainer<?, ?> listenerContainer)
				? listenerContainer.getCommonErrorHandler() : null;
		CommonErrorHandler errorHandler = (handler != null) ? handler : this.fallbackErrorHandler;
		try {
			errorHandling(work.partition().groupId()).execute(() -> {
				boolean recovered = false;
				try {
					recovered = errorHandler.handleOne(wrap(failed, container), work.record(), null, container);
				}
				catch (RuntimeException ex) {
					logger.error("Error handler " + errorHandler + " failed for record " + describe(work.record())
							+ "; delivering it again", ex);
				}
				if (recovered) {
					// done with, acknowledged or not (ackAfterHandle): the container too
					// commits past a record recovered without acknowledgement once a
					// later
					// record of its partition is acknowledged; holding the commit point
					// there would stop the partition's commits for good, since the record
					// would be recovered and held again after every restart
					resolved(work);
					work.succeeded();
				}
				else if (container.isRunning()) {
					work.lane().offerAgain(work);
				}
				else {
					resolved(work);
					work.abandoned();
				}
			});
		}
		catch (RejectedExecutionException ex) {
			resolved(work);
			work.abandoned();
		}
	}

	/**
	 * The failed record is done with (recovered or given up); handle the next failure of
	 * its partition.
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
			handle(next);
		}
	}

	/**
	 * A record that failed before has now succeeded on a retry.
	 */
	void finished(RecordWork work) {
		if (!this.failures.isEmpty()) {
			resolved(work);
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
	 * Wait, on the consumer thread, for the records in flight of partitions being revoked
	 * from it, so that the container commits their offsets before another consumer takes
	 * the partitions over.
	 */
	void awaitRevoked(Collection<TopicPartition> revoked) {
		String groupId = groupId();
		List<CompletableFuture<Void>> idle = new ArrayList<>();
		List<PartitionTracker> trackers = new ArrayList<>();
		for (TopicPartition partition : revoked) {
			PartitionTracker tracker = this.partitions.get(new GroupPartition(groupId, partition));
			if (tracker != null) {
				trackers.add(tracker);
				idle.add(tracker.whenIdle());
			}
		}
		if (trackers.isEmpty()) {
			return;
		}
		try {
			CompletableFuture.allOf(idle.toArray(CompletableFuture[]::new))
				.get(this.revocationTimeout.toNanos(), TimeUnit.NANOSECONDS);
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

	/**
	 * Forget partitions that are no longer the current consumer's; records of them still
	 * in flight complete on trackers no consumer commits from.
	 */
	void forget(Collection<TopicPartition> partitions) {
		String groupId = groupId();
		for (TopicPartition partition : partitions) {
			PartitionTracker tracker = this.partitions.remove(new GroupPartition(groupId, partition));
			MessageListenerContainer pausedBy = (tracker != null) ? tracker.forget() : null;
			if (pausedBy != null) {
				// the pause was for records the next owner fetches again; if the
				// partition comes back here, its new tracker pauses it for its own
				pausedBy.resumePartition(partition);
			}
		}
	}

	void consumerStarting(MessageListenerContainer container) {
		this.containers.put(Thread.currentThread(), container);
	}

	void consumerStopped(MessageListenerContainer container) {
		this.containers.values().removeIf((candidate) -> candidate == container);
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

	private ExecutorService errorHandling(String groupId) {
		if (this.destroyed) {
			throw new RejectedExecutionException("Stopped");
		}
		ExecutorService executor = this.errorHandling.computeIfAbsent(groupId,
				(key) -> Executors.newSingleThreadExecutor(daemon("eventloop-kafka-error-handler-" + key)));
		if (this.destroyed) {
			// created while destroy() shut the others down
			executor.shutdownNow();
		}
		return executor;
	}

	@Override
	public void destroy() {
		this.destroyed = true;
		this.retries.shutdownNow();
		this.errorHandling.values().forEach(ExecutorService::shutdownNow);
	}

	/**
	 * The consumer group of the current consumer thread. Read from its container: the
	 * container clears its thread-local group id before the final revocation at stop.
	 */
	private String groupId() {
		MessageListenerContainer container = this.containers.get(Thread.currentThread());
		String groupId = (container != null) ? container.getGroupId() : KafkaUtils.getConsumerGroupId();
		return (groupId != null) ? groupId : "";
	}

	static String describe(ConsumerRecord<?, ?> record) {
		return record.topic() + "-" + record.partition() + "@" + record.offset();
	}

	private static ThreadFactory daemon(String name) {
		return (runnable) -> {
			Thread thread = new Thread(runnable, name);
			thread.setDaemon(true);
			return thread;
		};
	}

	private record GroupPartition(String groupId, TopicPartition partition) {
	}

	private record FailedRecord(RecordWork work, Throwable failure) {
	}

}
