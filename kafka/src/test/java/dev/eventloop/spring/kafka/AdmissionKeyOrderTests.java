package dev.eventloop.spring.kafka;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

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
 * Records of one key waiting for admission ({@code max-in-flight} reached) start in
 * offset order even when two loops complete the records in flight at the same moment,
 * each admitting one of them.
 */
class AdmissionKeyOrderTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static final TopicPartition PARTITION = new TopicPartition("orders", 0);

	// the records in flight, of other keys, are of another partition
	private static final TopicPartition OTHER = new TopicPartition("orders", 1);

	private static final int REPETITIONS = 100;

	private final KafkaRecordDispatcher dispatcher = new KafkaRecordDispatcher(new KafkaRecordDispatcher.Settings(1000,
			2, RecordOrdering.KEY, TIMEOUT, Duration.ofMillis(100), Duration.ofSeconds(30)));

	private final EventLoop first = EventLoop.builder("first").build();

	private final EventLoop second = EventLoop.builder("second").build();

	private final EventLoop keyed = EventLoop.builder("keyed").build();

	// started when a record of key K of the current repetition starts
	private final AtomicReference<CountDownLatch> keyStarted = new AtomicReference<>(new CountDownLatch(0));

	private KafkaMessageListenerContainer<String, String> container;

	@BeforeEach
	void registerConsumerThread() {
		this.container = KafkaTestSupport.playConsumerThread(this.dispatcher, PARTITION.topic(), "ledger");
		this.dispatcher.consumerPolling(new MockConsumer<String, String>("earliest") {

			// a loop letting go of the last held record wakes the consumer up to resume
			// the partition; widen the window between a loop taking a waiting record and
			// entering it into its key's lane (the old code woke it up in between): hold
			// the waker back until a record of K starts, bounded
			@Override
			public synchronized void wakeup() {
				try {
					AdmissionKeyOrderTests.this.keyStarted.get().await(20, TimeUnit.MILLISECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				super.wakeup();
			}

		});
	}

	@AfterEach
	void close() {
		this.first.close();
		this.second.close();
		this.keyed.close();
		this.dispatcher.destroy();
	}

	@Test
	void recordsOfAKeyWaitingForAdmissionStartInOffsetOrderWhenTwoLoopsCompleteAtOnce() throws Exception {
		for (int repetition = 0; repetition < REPETITIONS; repetition++) {
			long base = repetition * 4L;
			List<Long> started = new CopyOnWriteArrayList<>();
			CountDownLatch keyDone = new CountDownLatch(2);
			CountDownLatch inFlightRunning = new CountDownLatch(2);
			CountDownLatch complete = new CountDownLatch(1);
			List<Thread> completing = new CopyOnWriteArrayList<>();
			this.keyStarted.set(new CountDownLatch(1));
			// two records of other keys on two loops fill max-in-flight (2)
			RecordWork.ListenerInvocation inFlight = () -> {
				completing.add(Thread.currentThread());
				inFlightRunning.countDown();
				assertThat(complete.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
				return null;
			};
			dispatch(OTHER, base, this.first, "A", inFlight);
			dispatch(OTHER, base + 1, this.second, "B", inFlight);
			assertThat(inFlightRunning.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			// two records of key K wait for admission
			for (long offset = base + 2; offset <= base + 3; offset++) {
				long recordOffset = offset;
				dispatch(PARTITION, offset, this.keyed, "K", () -> {
					started.add(recordOffset);
					this.keyStarted.get().countDown();
					keyDone.countDown();
					return null;
				});
			}
			// the consumer thread applies the pause; its inbox is empty again
			this.dispatcher.session().runInbox();
			PartitionTracker tracker = this.dispatcher.tracker("ledger", PARTITION);
			assertThat(tracker).isNotNull();
			// both in-flight records complete at once, each loop admitting one record of
			// K;
			// holding K's partition tracker stops both loops once they have taken their
			// record (letting it go, or counting it as waiting for its key, locks it), so
			// both have taken theirs before either goes on
			synchronized (tracker) {
				complete.countDown();
				await().atMost(TIMEOUT)
					.pollInterval(Duration.ofMillis(1))
					.until(() -> completing.size() == 2
							&& completing.stream().allMatch((thread) -> thread.getState() == Thread.State.BLOCKED));
			}
			assertThat(keyDone.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("repetition %d", repetition).isTrue();
			assertThat(started).as("start order of key K in repetition %d", repetition)
				.containsExactly(base + 2, base + 3);
			this.dispatcher.session().runInbox();
		}
	}

	private void dispatch(TopicPartition partition, long offset, EventLoop loop, String key,
			RecordWork.ListenerInvocation invocation) {
		ConsumerRecord<String, String> record = new ConsumerRecord<>(partition.topic(), partition.partition(), offset,
				key, "value");
		this.dispatcher.dispatch(record, loop, key, RecordOrdering.KEY, invocation);
	}

}
