package dev.eventloop.spring.kafka;

import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * One record on its way to its loop: admitted by its consumer's session, through the lane
 * of its key (unless unordered), then through its loop's {@link LoopLane} to run the
 * listener method there; completed when the method's future completes. Created on the
 * consumer thread, run on the loop thread.
 */
final class RecordWork implements Runnable {

	private final KafkaRecordDispatcher dispatcher;

	private final ConsumerRecord<?, ?> record;

	private final ListenerInvocation invocation;

	private final LoopLane lane;

	private final PartitionTracker partition;

	// its entry in the partition's tracker
	private final PartitionTracker.InFlight inFlight;

	private final ConsumerSession session;

	// the key of its lane (its key and partition, or its partition), null when unordered
	private final @Nullable Object laneKey;

	// whether it has been offered to its loop lane, so that lane counts it; written by
	// the thread that starts it, before the lane can see it
	private volatile boolean onLane;

	RecordWork(KafkaRecordDispatcher dispatcher, ConsumerRecord<?, ?> record, ListenerInvocation invocation,
			LoopLane lane, PartitionTracker partition, PartitionTracker.InFlight inFlight, ConsumerSession session,
			@Nullable Object laneKey) {
		this.dispatcher = dispatcher;
		this.record = record;
		this.invocation = invocation;
		this.lane = lane;
		this.partition = partition;
		this.inFlight = inFlight;
		this.session = session;
		this.laneKey = laneKey;
	}

	ConsumerRecord<?, ?> record() {
		return this.record;
	}

	LoopLane lane() {
		return this.lane;
	}

	PartitionTracker partition() {
		return this.partition;
	}

	PartitionTracker.InFlight inFlight() {
		return this.inFlight;
	}

	ConsumerSession session() {
		return this.session;
	}

	MessageListenerContainer container() {
		return this.session.container();
	}

	@Nullable Object laneKey() {
		return this.laneKey;
	}

	boolean onLane() {
		return this.onLane;
	}

	void offerToLane() {
		this.onLane = true;
		this.lane.offer(this);
	}

	@Override
	public void run() {
		this.lane.started();
		try {
			if (this.partition.forgotten()) {
				// revoked before it started: the next owner runs it
				this.dispatcher.completed(this, false);
				return;
			}
			this.inFlight.running(System.nanoTime());
			Object value = this.invocation.proceed();
			if (value instanceof CompletionStage<?> stage) {
				stage.whenComplete(this::ran);
			}
			else {
				ran(value, null);
			}
		}
		catch (Throwable ex) {
			ran(null, ex);
		}
		finally {
			this.lane.drain();
		}
	}

	private void ran(@Nullable Object value, @Nullable Throwable failure) {
		// the listener's value is not used: records are acknowledged through the tracker
		if (failure == null) {
			this.dispatcher.completed(this, true);
		}
		else {
			this.dispatcher.failed(this, (failure instanceof CompletionException && failure.getCause() != null)
					? failure.getCause() : failure);
		}
	}

	/**
	 * Count the record as waiting for an earlier record of its key (or not any more), in
	 * its partition and on its loop.
	 */
	void waitingForKey(int delta) {
		this.partition.waitingForKey(delta);
		this.lane.waitingForKey(delta);
	}

	/**
	 * Count the record held back (its loop or its consumer is at its bound), pausing its
	 * partition if it is the first.
	 */
	void held() {
		if (this.partition.hold(container())) {
			this.session.pauseChanged(this.partition);
		}
	}

	/**
	 * Count a held record let go, resuming its partition if it was the last.
	 */
	void released() {
		if (this.partition.release()) {
			this.session.pauseChanged(this.partition);
		}
	}

	@Override
	public String toString() {
		return KafkaRecordDispatcher.describe(this.record);
	}

	/**
	 * The listener method call the record was delivered with, to be made on the loop.
	 */
	@FunctionalInterface
	interface ListenerInvocation {

		@Nullable Object proceed() throws Throwable;

	}

}
