package dev.eventloop.spring.kafka;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidGroupIdException;
import org.jspecify.annotations.Nullable;

import org.springframework.util.ReflectionUtils;

/**
 * Stands between a listener container and its Kafka {@link Consumer} so that offsets of
 * records handed to the loops are committed when, and only when, they have completed.
 * <p>
 * The starter acknowledges each record to the container as soon as it is handed to its
 * loop, so that the container keeps polling instead of waiting for every record of a
 * poll; the container's commits are therefore capped, partition by partition, at the
 * {@link PartitionTracker#commitPoint() commit point}. The records' progress beyond that
 * is committed here, asynchronously, before polls: a long poll is cut into slices of the
 * commit interval so that completions are committed while the consumer waits for records.
 * Partitions the starter has no records of pass through untouched.
 * <p>
 * Every method runs on the consumer thread, as the Kafka consumer requires; so do the
 * commit callbacks, which Kafka calls from within consumer methods.
 */
final class CommittingConsumer implements InvocationHandler {

	private static final Log logger = LogFactory.getLog(CommittingConsumer.class);

	private final Consumer<?, ?> consumer;

	private final KafkaRecordDispatcher dispatcher;

	private final long intervalNanos;

	// consumer thread only: the consumer's group, read on first use
	private @Nullable String groupId;

	// consumer thread only: whether the dispatcher knows this consumer's thread
	private boolean polled;

	// consumer thread only: when the progress of the loops was last committed
	private long lastCommit = System.nanoTime();

	private CommittingConsumer(Consumer<?, ?> consumer, KafkaRecordDispatcher dispatcher) {
		this.consumer = consumer;
		this.dispatcher = dispatcher;
		this.intervalNanos = Math.max(1, dispatcher.commitInterval().toNanos());
	}

	@SuppressWarnings("unchecked")
	static <K, V> Consumer<K, V> wrap(Consumer<K, V> consumer, KafkaRecordDispatcher dispatcher) {
		return (Consumer<K, V>) Proxy.newProxyInstance(CommittingConsumer.class.getClassLoader(),
				new Class<?>[] { Consumer.class }, new CommittingConsumer(consumer, dispatcher));
	}

	@Override
	public @Nullable Object invoke(Object proxy, Method method, @Nullable Object[] args) throws Throwable {
		String name = method.getName();
		int count = (args != null) ? args.length : 0;
		if (name.equals("poll") && count == 1 && args[0] instanceof Duration timeout) {
			return poll(timeout);
		}
		if (name.equals("close")) {
			this.dispatcher.consumerClosing();
			return delegate(method, args);
		}
		if (name.equals("commitSync") && count >= 1 && args[0] instanceof Map<?, ?> offsets) {
			return commitSync(method, args, cast(offsets));
		}
		if (name.equals("commitAsync") && count == 2 && args[0] instanceof Map<?, ?> offsets) {
			return commitAsync(cast(offsets), (OffsetCommitCallback) args[1]);
		}
		if (name.equals("equals") && count == 1) {
			return proxy == args[0];
		}
		if (name.equals("hashCode") && count == 0) {
			return System.identityHashCode(proxy);
		}
		if (name.equals("toString") && count == 0) {
			return "Consumer committing the progress of event loops over " + this.consumer;
		}
		return delegate(method, args);
	}

	private ConsumerRecords<?, ?> poll(Duration timeout) {
		if (!this.polled) {
			this.polled = true;
			this.dispatcher.consumerPolling();
		}
		if (!this.dispatcher.dispatching(groupId())) {
			return this.consumer.poll(timeout);
		}
		long remaining = timeout.toNanos();
		long deadline = System.nanoTime() + remaining;
		while (true) {
			commitProgress();
			ConsumerRecords<?, ?> records = this.consumer
				.poll(Duration.ofNanos(Math.min(remaining, this.intervalNanos)));
			remaining = deadline - System.nanoTime();
			if (!records.isEmpty() || remaining <= 0) {
				return records;
			}
		}
	}

	/**
	 * Commit, asynchronously, the partitions whose commit point has moved since the last
	 * commit, at most once per interval.
	 */
	private void commitProgress() {
		long now = System.nanoTime();
		if (now - this.lastCommit < this.intervalNanos) {
			return;
		}
		this.lastCommit = now;
		Map<TopicPartition, OffsetAndMetadata> progress = new HashMap<>();
		Map<TopicPartition, PartitionTracker> trackers = new HashMap<>();
		for (TopicPartition partition : this.consumer.assignment()) {
			PartitionTracker tracker = this.dispatcher.tracker(groupId(), partition);
			long point = (tracker != null) ? tracker.progressed() : -1;
			if (point >= 0) {
				progress.put(partition, new OffsetAndMetadata(point));
				trackers.put(partition, tracker);
				tracker.commitRequested(point);
			}
		}
		if (!progress.isEmpty()) {
			this.consumer.commitAsync(progress, (offsets, failure) -> {
				if (failure != null) {
					logger.debug("Commit of " + progress + " failed; the next commit retries it", failure);
				}
				trackers.forEach((partition, tracker) -> completed(tracker, progress.get(partition), failure));
			});
		}
	}

	private @Nullable Object commitSync(Method method, Object[] args, Map<TopicPartition, OffsetAndMetadata> offsets) {
		Map<TopicPartition, PartitionTracker> trackers = new HashMap<>();
		Map<TopicPartition, OffsetAndMetadata> capped = cap(offsets, trackers);
		if (capped.isEmpty()) {
			return null;
		}
		Object[] arguments = args.clone();
		arguments[0] = capped;
		try {
			Object result = delegate(method, arguments);
			trackers.forEach((partition, tracker) -> completed(tracker, capped.get(partition), null));
			return result;
		}
		catch (RuntimeException | Error ex) {
			trackers.values().forEach(PartitionTracker::commitFailed);
			throw ex;
		}
	}

	private @Nullable Object commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets,
			@Nullable OffsetCommitCallback callback) {
		Map<TopicPartition, PartitionTracker> trackers = new HashMap<>();
		Map<TopicPartition, OffsetAndMetadata> capped = cap(offsets, trackers);
		if (capped.isEmpty()) {
			if (callback != null) {
				callback.onComplete(capped, null);
			}
			return null;
		}
		this.consumer.commitAsync(capped, (committed, failure) -> {
			trackers.forEach((partition, tracker) -> completed(tracker, capped.get(partition), failure));
			if (callback != null) {
				callback.onComplete(committed, failure);
			}
		});
		return null;
	}

	/**
	 * Cap each offset at the commit point of its partition, leaving out partitions with
	 * nothing new to commit; partitions the starter does not track pass as they are.
	 */
	private Map<TopicPartition, OffsetAndMetadata> cap(Map<TopicPartition, OffsetAndMetadata> offsets,
			Map<TopicPartition, PartitionTracker> trackers) {
		Map<TopicPartition, OffsetAndMetadata> capped = new HashMap<>();
		offsets.forEach((partition, offset) -> {
			PartitionTracker tracker = this.dispatcher.tracker(groupId(), partition);
			if (tracker == null) {
				capped.put(partition, offset);
				return;
			}
			long allowed = tracker.cap(offset.offset());
			if (allowed >= 0) {
				capped.put(partition,
						(allowed == offset.offset()) ? offset : new OffsetAndMetadata(allowed, offset.metadata()));
				trackers.put(partition, tracker);
				tracker.commitRequested(allowed);
			}
		});
		return capped;
	}

	private static void completed(PartitionTracker tracker, OffsetAndMetadata offset, @Nullable Exception failure) {
		if (failure == null) {
			tracker.commitSucceeded(offset.offset());
		}
		else {
			tracker.commitFailed();
		}
	}

	private String groupId() {
		String groupId = this.groupId;
		if (groupId == null) {
			try {
				groupId = this.consumer.groupMetadata().groupId();
			}
			catch (InvalidGroupIdException ex) {
				groupId = "";
			}
			this.groupId = groupId;
		}
		return groupId;
	}

	private @Nullable Object delegate(Method method, @Nullable Object[] args) {
		try {
			return method.invoke(this.consumer, args);
		}
		catch (InvocationTargetException ex) {
			ReflectionUtils.rethrowRuntimeException(ex.getTargetException());
			return null;
		}
		catch (IllegalAccessException ex) {
			throw new IllegalStateException("Cannot call " + method + " on " + this.consumer, ex);
		}
	}

	@SuppressWarnings("unchecked")
	private static Map<TopicPartition, OffsetAndMetadata> cast(Map<?, ?> offsets) {
		return (Map<TopicPartition, OffsetAndMetadata>) offsets;
	}

}
