package dev.eventloop.spring.kafka;

import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.eventloop.EventLoop;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.listener.KafkaMessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Pausing a partition for records held back from a full loop, across a revocation: the
 * records held for a partition that was revoked (and given back) neither pause nor resume
 * it any more; the new owner's own held records do.
 */
class PartitionPauseTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static final TopicPartition PARTITION = new TopicPartition("orders", 0);

	private final KafkaRecordDispatcher dispatcher = new KafkaRecordDispatcher(new KafkaRecordDispatcher.Settings(1,
			1000, RecordOrdering.UNORDERED, TIMEOUT, Duration.ofMillis(100), Duration.ofSeconds(30)));

	private final EventLoop loop = EventLoop.builder("pause").build();

	private final List<Long> ran = new CopyOnWriteArrayList<>();

	private KafkaMessageListenerContainer<String, String> container;

	@BeforeEach
	void registerConsumerThread() {
		this.container = KafkaTestSupport.playConsumerThread(this.dispatcher, PARTITION.topic(), "ledger");
		this.dispatcher.consumerPolling(new MockConsumer<>("earliest"));
	}

	@AfterEach
	void close() {
		this.loop.close();
		this.dispatcher.destroy();
	}

	@Test
	void heldRecordsOfARevokedPartitionShouldNeitherResumeNorPauseItOnceItIsForgotten() throws Exception {
		CountDownLatch firstRunning = new CountDownLatch(1);
		CountDownLatch releaseFirst = new CountDownLatch(1);
		CountDownLatch fourthRunning = new CountDownLatch(1);
		CountDownLatch releaseFourth = new CountDownLatch(1);
		dispatch(0, firstRunning, releaseFirst);
		assertThat(firstRunning.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
		dispatch(1, null, null);
		dispatch(2, null, null);
		consumerTurn();
		assertThat(this.container.isPartitionPauseRequested(PARTITION)).as("paused for held records").isTrue();

		// revoked while records 1 and 2 are held: the pause was for them
		this.dispatcher.forget(List.of(PARTITION));
		assertThat(this.container.isPartitionPauseRequested(PARTITION)).as("resumed when forgotten").isFalse();

		// given back: the new owner's records are held behind the old ones and pause it
		dispatch(3, fourthRunning, releaseFourth);
		dispatch(4, null, null);
		consumerTurn();
		assertThat(this.container.isPartitionPauseRequested(PARTITION)).as("paused for the new records").isTrue();

		// the old held records are dropped without running (the next owner runs them);
		// record 4 is still held for the new owner
		releaseFirst.countDown();
		assertThat(fourthRunning.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
		assertThat(this.ran).containsExactly(0L);
		consumerTurn();
		assertThat(this.container.isPartitionPauseRequested(PARTITION))
			.as("still paused while the new owner holds a record")
			.isTrue();

		releaseFourth.countDown();
		await().atMost(TIMEOUT).until(() -> this.ran.size() == 3);
		assertThat(this.ran).containsExactly(0L, 3L, 4L);
		await().atMost(TIMEOUT).pollInSameThread().until(() -> {
			consumerTurn();
			return !this.container.isPartitionPauseRequested(PARTITION);
		});
	}

	@Test
	void aHeldRecordLetGoBeforeItsPauseIsAppliedLeavesThePartitionRunning() {
		PartitionTracker tracker = new PartitionTracker("ledger", PARTITION, new TreeMap<>());
		// the consumer thread holds a record; a loop thread lets it go before the
		// consumer thread has applied the pause: the pause must not outlive the hold
		assertThat(tracker.hold(this.container)).isTrue();
		assertThat(tracker.release()).isTrue();
		tracker.applyPause();
		tracker.applyPause();
		assertThat(this.container.isPartitionPauseRequested(PARTITION)).isFalse();
		assertThat(tracker.paused()).isFalse();

		assertThat(tracker.hold(this.container)).isTrue();
		assertThat(tracker.applyPause()).isTrue();
		assertThat(this.container.isPartitionPauseRequested(PARTITION)).isTrue();
		assertThat(tracker.release()).isTrue();
		assertThat(tracker.applyPause()).isTrue();
		assertThat(this.container.isPartitionPauseRequested(PARTITION)).isFalse();
		assertThat(tracker.applyPause()).as("nothing left to change").isFalse();
	}

	// what the consumer thread does between polls: pauses and resumes asked for by the
	// loops are applied there
	private void consumerTurn() {
		this.dispatcher.session().runInbox();
	}

	private void dispatch(long offset, CountDownLatch running, CountDownLatch release) {
		ConsumerRecord<String, String> record = new ConsumerRecord<>(PARTITION.topic(), PARTITION.partition(), offset,
				"key", "value");
		this.dispatcher.dispatch(record, this.loop, "key", RecordOrdering.UNORDERED, () -> {
			if (running != null) {
				running.countDown();
				assertThat(release.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			}
			this.ran.add(offset);
			return null;
		});
	}

}
