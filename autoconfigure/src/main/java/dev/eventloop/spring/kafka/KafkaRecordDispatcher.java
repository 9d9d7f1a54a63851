package dev.eventloop.spring.kafka;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
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
 * paused; a record is acknowledged (and so committed, once every record before it is)
 * only when its listener's future completes; a failed record goes to the container's
 * {@link CommonErrorHandler}, one record per partition at a time, on one error-handling
 * thread (the handler keeps its retry counts per thread); and a consumer whose partitions
 * are revoked waits for their records in flight.
 */
final class KafkaRecordDispatcher implements DisposableBean {

	private static final Log logger = LogFactory.getLog(KafkaRecordDispatcher.class);

	private final int highWaterMark;

	private final Duration revocationTimeout;

	// lanes by loop, created on first use by consumer threads
	private final Map<EventLoop, LoopLane> lanes = new ConcurrentHashMap<>();

	// records in flight by consumer group and partition, created by consumer threads
	private final Map<GroupPartition, PartitionTracker> partitions = new ConcurrentHashMap<>();

	// the container of each consumer thread, written when the consumer starts and stops
	private final Map<Thread, MessageListenerContainer> containers = new ConcurrentHashMap<>();

	// failed records waiting for the error handler, by partition; guarded by the map
	private final Map<PartitionTracker, ArrayDeque<FailedRecord>> failures = new ConcurrentHashMap<>();

	// the handler used for containers that have none, as the container itself would
	private final DefaultErrorHandler fallbackErrorHandler = new DefaultErrorHandler();

	private final ExecutorService errorHandling = Executors
		.newSingleThreadExecutor(daemon("eventloop-kafka-error-handler"));

	private final ScheduledExecutorService retries = Executors
		.newSingleThreadScheduledExecutor(daemon("eventloop-kafka-retry"));

	KafkaRecordDispatcher(int highWaterMark, Duration revocationTimeout) {
		if (highWaterMark < 1) {
			throw new IllegalArgumentException("eventloop.kafka.high-water-mark must be at least 1, but was "
					+ highWaterMark + ": set it to the number of records one loop may have queued");
		}
		this.highWaterMark = highWaterMark;
		this.revocationTimeout = revocationTimeout;
	}

	/**
	 * Whether the current thread is the consumer thread of a listener container, that is,
	 * whether the listener call being made is a record delivery.
	 */
	boolean onConsumerThread() {
		return this.containers.containsKey(Thread.currentThread());
	}

	/**
	 * Take a record delivered on the current consumer thread and return the future its
	 * container acknowledges it by.
	 */
	CompletableFuture<@Nullable Object> dispatch(ConsumerRecord<?, ?> record, EventLoop loop,
			RecordWork.ListenerInvocation invocation) {
		MessageListenerContainer container = this.containers.get(Thread.currentThread());
		PartitionTracker partition = this.partitions.computeIfAbsent(
				new GroupPartition(groupId(), topicPartition(record)),
				(key) -> new PartitionTracker(key.groupId(), key.partition()));
		LoopLane lane = this.lanes.computeIfAbsent(loop, (key) -> new LoopLane(key, this.highWaterMark, this.retries));
		RecordWork work = new RecordWork(this, record, invocation, lane, partition, container);
		partition.started(record.offset());
		lane.offer(work);
		return work.result();
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
			work.result().completeExceptionally(failed.failure());
			resolved(work);
			work.abandoned();
			return;
		}
		CommonErrorHandler handler = (container instanceof AbstractMessageListenerContainer<?, ?> listenerContainer)
				? listenerContainer.getCommonErrorHandler() : null;
		CommonErrorHandler errorHandler = (handler != null) ? handler : this.fallbackErrorHandler;
		try {
			this.errorHandling.execute(() -> {
				boolean recovered = false;
				try {
					recovered = errorHandler.handleOne(wrap(failed, container), work.record(), null, container);
				}
				catch (RuntimeException ex) {
					logger.error("Error handler " + errorHandler + " failed for record " + describe(work.record())
							+ "; delivering it again", ex);
				}
				if (recovered) {
					resolved(work);
					if (errorHandler.isAckAfterHandle()) {
						work.succeeded(null);
					}
					else {
						work.abandoned();
					}
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
		for (PartitionTracker tracker : trackers) {
			if (tracker.inFlight() == 0) {
				this.partitions.remove(new GroupPartition(groupId, tracker.partition()), tracker);
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

	@Override
	public void destroy() {
		this.retries.shutdownNow();
		this.errorHandling.shutdownNow();
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
