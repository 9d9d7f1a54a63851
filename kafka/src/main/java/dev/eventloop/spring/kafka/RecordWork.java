package dev.eventloop.spring.kafka;

import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * One record on its way through a lane to its loop: runs the listener method there and
 * tells its partition's tracker when it has completed, so that its offset can be
 * committed. Created on the consumer thread, run on the loop thread.
 */
final class RecordWork implements Runnable {

	private final KafkaRecordDispatcher dispatcher;

	private final ConsumerRecord<?, ?> record;

	private final ListenerInvocation invocation;

	private final LoopLane lane;

	private final PartitionTracker partition;

	private final @Nullable MessageListenerContainer container;

	RecordWork(KafkaRecordDispatcher dispatcher, ConsumerRecord<?, ?> record, ListenerInvocation invocation,
			LoopLane lane, PartitionTracker partition, @Nullable MessageListenerContainer container) {
		this.dispatcher = dispatcher;
		this.record = record;
		this.invocation = invocation;
		this.lane = lane;
		this.partition = partition;
		this.container = container;
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

	@Nullable MessageListenerContainer container() {
		return this.container;
	}

	@Override
	public void run() {
		this.lane.started();
		try {
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
			succeeded();
		}
		else {
			this.dispatcher.failed(this, (failure instanceof CompletionException && failure.getCause() != null)
					? failure.getCause() : failure);
		}
	}

	/**
	 * Complete the record: its offset may be committed once every record before it has
	 * completed too.
	 */
	void succeeded() {
		this.lane.completed();
		this.partition.finished(this.record.offset());
		this.dispatcher.finished(this);
	}

	/**
	 * Stop counting the record as in flight without acknowledging it: its offset is not
	 * committed and it is delivered again after a restart or rebalance.
	 */
	void abandoned() {
		this.lane.completed();
		this.partition.abandoned(this.record.offset());
		this.dispatcher.finished(this);
	}

	void held() {
		if (this.partition.hold(this.container) && this.container != null) {
			this.container.pausePartition(this.dispatcher.topicPartition(this.record));
		}
	}

	void released() {
		MessageListenerContainer pausedBy = this.partition.release();
		if (pausedBy != null) {
			pausedBy.resumePartition(this.dispatcher.topicPartition(this.record));
		}
	}

	/**
	 * The listener method call the record was delivered with, to be made on the loop.
	 */
	@FunctionalInterface
	interface ListenerInvocation {

		@Nullable Object proceed() throws Throwable;

	}

}
