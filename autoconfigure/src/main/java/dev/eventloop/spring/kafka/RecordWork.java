package dev.eventloop.spring.kafka;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * One record on its way through a lane to its loop: runs the listener method there and
 * completes the future the container acknowledges the record by. Created on the consumer
 * thread, run on the loop thread.
 */
final class RecordWork implements Runnable {

	private final KafkaRecordDispatcher dispatcher;

	private final ConsumerRecord<?, ?> record;

	private final ListenerInvocation invocation;

	private final LoopLane lane;

	private final PartitionTracker partition;

	private final @Nullable MessageListenerContainer container;

	private final CompletableFuture<@Nullable Object> result = new CompletableFuture<>();

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

	CompletableFuture<@Nullable Object> result() {
		return this.result;
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
		if (failure == null) {
			succeeded(value);
		}
		else {
			this.dispatcher.failed(this, (failure instanceof CompletionException && failure.getCause() != null)
					? failure.getCause() : failure);
		}
	}

	/**
	 * Complete the record: the container's acknowledgement runs inside {@code complete},
	 * before the record stops counting as in flight, so that a revocation that waits for
	 * it finds its offset acknowledged.
	 */
	void succeeded(@Nullable Object value) {
		this.result.complete(value);
		finished();
	}

	/**
	 * Stop counting the record as in flight without acknowledging it: its offset is not
	 * committed and it is delivered again after a restart or rebalance.
	 */
	void abandoned() {
		finished();
	}

	private void finished() {
		this.lane.completed();
		this.partition.finished(this.record.offset());
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
