package dev.eventloop.spring.kafka;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.function.Function;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidGroupIdException;
import org.apache.kafka.common.errors.WakeupException;
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

	// consumer thread only: a wakeup was taken by a commit on revocation, so the poll it
	// was meant for returns without waiting for records
	private boolean wokenUp;

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
			return poll(proxy, timeout);
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
		if ((name.equals("commitSync") || name.equals("commitAsync")) && (count == 0 || !(args[0] instanceof Map))) {
			return commitPositions(method, args);
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

	private ConsumerRecords<?, ?> poll(Object proxy, Duration timeout) {
		if (!this.polled) {
			this.polled = true;
			this.dispatcher.consumerPolling((Consumer<?, ?>) proxy);
		}
		if (!this.dispatcher.dispatching(groupId())) {
			return this.consumer.poll(timeout);
		}
		ConsumerSession session = this.dispatcher.session();
		long remaining = timeout.toNanos();
		long deadline = System.nanoTime() + remaining;
		while (true) {
			if (session != null) {
				// failed records for the error handler, which is given this consumer
				session.runInbox();
			}
			commitProgress();
			if (session != null && session.takePauseChanged()) {
				// the container pauses or resumes the partition before its next poll
				return ConsumerRecords.empty();
			}
			ConsumerRecords<?, ?> records;
			try {
				records = this.consumer.poll(Duration.ofNanos(Math.min(remaining, this.intervalNanos)));
			}
			catch (WakeupException ex) {
				// woken for a failed record, a partition to resume, or by the container
				// (to pause, resume or stop): an empty poll lets the container act
				if (session != null) {
					session.runInbox();
					session.takePauseChanged();
				}
				return ConsumerRecords.empty();
			}
			remaining = deadline - System.nanoTime();
			if (!records.isEmpty() || remaining <= 0 || this.wokenUp) {
				this.wokenUp = false;
				return records;
			}
		}
	}

	/**
	 * Commit, asynchronously, the partitions whose commit point, or what has completed
	 * beyond it, has moved since the last commit, at most once per interval; report
	 * records in flight for too long.
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
			if (tracker == null) {
				continue;
			}
			trackers.put(partition, tracker);
			OffsetAndMetadata offset = offset(tracker);
			if (offset != null && tracker.progressed(offset.metadata(), offset.offset()) >= 0) {
				progress.put(partition, offset);
				tracker.commitRequested(offset.offset(), offset.metadata());
			}
		}
		this.dispatcher.progress().reportSlow(trackers.values());
		if (!progress.isEmpty()) {
			this.consumer.commitAsync(progress, (offsets, failure) -> {
				if (failure != null) {
					logger.debug("Commit of " + progress + " failed; the next commit retries it", failure);
				}
				progress.forEach((partition, offset) -> completed(trackers.get(partition), offset, failure));
			});
		}
	}

	/**
	 * The offset to commit for a tracked partition, with the records completed beyond it
	 * in its metadata; {@code null} before its first record.
	 */
	private @Nullable OffsetAndMetadata offset(PartitionTracker tracker) {
		long point = tracker.commitPoint();
		if (point < 0) {
			return null;
		}
		String metadata = tracker.metadata(point);
		if (metadata == null) {
			this.dispatcher.progress().metadataOverflow(tracker);
			metadata = "";
		}
		return new OffsetAndMetadata(point, metadata);
	}

	private @Nullable Object commitSync(Method method, Object[] args, Map<TopicPartition, OffsetAndMetadata> offsets) {
		Map<TopicPartition, OffsetAndMetadata> untracked = untracked(offsets);
		if (untracked.isEmpty()) {
			return null;
		}
		Object[] arguments = args.clone();
		arguments[0] = untracked;
		return delegate(method, arguments);
	}

	private @Nullable Object commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets,
			@Nullable OffsetCommitCallback callback) {
		Map<TopicPartition, OffsetAndMetadata> untracked = untracked(offsets);
		if (!untracked.isEmpty()) {
			this.consumer.commitAsync(untracked, callback);
		}
		else if (callback != null) {
			callback.onComplete(untracked, null);
		}
		return null;
	}

	/**
	 * Commit the positions of the partitions the starter does not track, for a commit
	 * without offsets (which commits the positions of every assigned partition): the
	 * positions of tracked partitions run ahead of the records that have completed.
	 */
	private @Nullable Object commitPositions(Method method, @Nullable Object[] args) {
		if (!this.dispatcher.dispatching(groupId())) {
			return delegate(method, args);
		}
		Map<TopicPartition, OffsetAndMetadata> positions = new HashMap<>();
		for (TopicPartition partition : this.consumer.assignment()) {
			if (this.dispatcher.tracker(groupId(), partition) == null) {
				positions.put(partition, new OffsetAndMetadata(this.consumer.position(partition)));
			}
		}
		Object argument = (args != null && args.length > 0) ? args[0] : null;
		if (method.getName().equals("commitAsync")) {
			return commitAsync(positions, (OffsetCommitCallback) argument);
		}
		if (!positions.isEmpty()) {
			if (argument instanceof Duration timeout) {
				this.consumer.commitSync(positions, timeout);
			}
			else {
				this.consumer.commitSync(positions);
			}
		}
		return null;
	}

	/**
	 * Leave out of a commit the container asks for the partitions whose records the
	 * starter tracks: the container takes those records as done when they have only been
	 * handed to the loops, and the starter commits them itself once they have completed.
	 */
	private Map<TopicPartition, OffsetAndMetadata> untracked(Map<TopicPartition, OffsetAndMetadata> offsets) {
		if (!this.dispatcher.dispatching(groupId())) {
			return offsets;
		}
		Map<TopicPartition, OffsetAndMetadata> untracked = new HashMap<>(offsets);
		untracked.keySet().removeIf((partition) -> this.dispatcher.tracker(groupId(), partition) != null);
		return untracked;
	}

	/**
	 * Commit synchronously what the loops have completed of partitions being revoked,
	 * before another consumer takes them over. Consumer thread only, like every method
	 * here.
	 * @param revoked the partitions being revoked
	 * @param timeout how long to wait for the commit
	 */
	void commitRevoked(Collection<TopicPartition> revoked, Duration timeout) {
		Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
		Map<TopicPartition, PartitionTracker> trackers = new HashMap<>();
		for (TopicPartition partition : revoked) {
			PartitionTracker tracker = this.dispatcher.tracker(groupId(), partition);
			OffsetAndMetadata offset = (tracker != null) ? offset(tracker) : null;
			if (offset != null) {
				offsets.put(partition, offset);
				trackers.put(partition, tracker);
			}
		}
		if (offsets.isEmpty()) {
			return;
		}
		try {
			commitSyncDespiteWakeups(offsets, timeout);
			trackers.forEach((partition, tracker) -> tracker.commitSucceeded(offsets.get(partition).offset()));
		}
		catch (RuntimeException ex) {
			logger.warn("Could not commit " + offsets + " of consumer group '" + groupId()
					+ "' on revocation; the consumer that takes the partitions over processes the records"
					+ " after the last commit again", ex);
		}
	}

	/**
	 * Read the committed offsets and their metadata, even if the consumer is woken up
	 * meanwhile (see {@link #despiteWakeups}). Consumer thread only.
	 */
	Map<TopicPartition, OffsetAndMetadata> committed(Collection<TopicPartition> partitions, Duration timeout) {
		return despiteWakeups(timeout, (left) -> this.consumer.committed(new HashSet<>(partitions), left));
	}

	private void commitSyncDespiteWakeups(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
		despiteWakeups(timeout, (left) -> {
			this.consumer.commitSync(offsets, left);
			return null;
		});
	}

	/**
	 * Make a blocking call of the consumer, even if the consumer is woken up meanwhile.
	 * Wake-ups are meant to end a poll: the container's, when a partition is to be paused
	 * or resumed, and the starter's, when work waits for the consumer thread. One that
	 * lands in a call made between polls (a revocation runs inside a poll; a partition's
	 * commits are read at its first record) would abort that call instead; it is handed
	 * to the next poll, which returns at once.
	 */
	private <T> T despiteWakeups(Duration timeout, Function<Duration, T> call) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			try {
				return call.apply(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
			}
			catch (WakeupException ex) {
				this.wokenUp = true;
				if (deadline - System.nanoTime() <= 0) {
					throw ex;
				}
			}
		}
	}

	/**
	 * Return the committing consumer behind a consumer, or {@code null} if it is not one.
	 */
	static @Nullable CommittingConsumer of(Consumer<?, ?> consumer) {
		return (Proxy.isProxyClass(consumer.getClass())
				&& Proxy.getInvocationHandler(consumer) instanceof CommittingConsumer committing) ? committing : null;
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
