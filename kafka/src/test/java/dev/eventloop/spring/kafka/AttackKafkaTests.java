package dev.eventloop.spring.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.eventloop.EventLoop;
import dev.eventloop.spring.OnEventLoop;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaConsumerFactoryCustomizer;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.ListenerExecutionFailedException;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.kafka.test.utils.KafkaTestUtils;
import org.springframework.util.StringUtils;
import org.springframework.util.backoff.FixedBackOff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * Attacks on the promises of docs/kafka.md ("What is guaranteed") against a real broker
 * and real application contexts: rebalances while records are held for a full loop, a
 * stop while a record never completes, long polls, failing records, partitions revoked
 * and given back to the same instance, and several groups failing records of one
 * partition at the same time.
 */
@ExtendWith(OutputCaptureExtension.class)
class AttackKafkaTests {

	private static final int PARTITIONS = 2;

	private static final int KEYS = 20;

	private static final Duration WAIT = Duration.ofSeconds(30);

	private static EmbeddedKafkaBroker broker;

	@BeforeAll
	static void startBroker() {
		broker = new EmbeddedKafkaKraftBroker(1, PARTITIONS, "attack-rebalance", "attack-stop", "attack-poll",
				"attack-failing", "attack-reassign", "attack-other", "attack-groups", "attack-transactions",
				"attack-no-ack");
		broker.brokerProperties(
				Map.of("transaction.state.log.replication.factor", "1", "transaction.state.log.min.isr", "1"));
		broker.afterPropertiesSet();
	}

	@AfterAll
	static void stopBroker() {
		broker.destroy();
	}

	/**
	 * Attack 1: a second instance joins while the first has records held for its full
	 * loops (and their partitions paused) and the loops are busy; the held records are
	 * released while the first instance waits in its revocation. Nothing may be lost,
	 * nothing processed twice, and everything committed.
	 */
	@Test
	void rebalanceWhileRecordsAreHeldShouldLoseNothingAndRepeatNothing(CapturedOutput output) throws Exception {
		int records = 400;
		ConfigurableApplicationContext first = run("attack-rebalance", "test.gate=true",
				"eventloop.loops.workers.queue-capacity=4");
		ConfigurableApplicationContext second = null;
		try {
			AttackListener firstListener = first.getBean(AttackListener.class);
			KafkaRecordDispatcher dispatcher = first.getBean(KafkaRecordDispatcher.class);
			await().atMost(WAIT).until(() -> KafkaTestSupport.assigned(first).size() == PARTITIONS);
			KafkaTestSupport.produce(broker, "attack-rebalance", records, KEYS);
			// both loops are busy with their first record, their queues are full, the
			// rest is held and both partitions are paused
			await().atMost(WAIT)
				.until(() -> dispatcher.partitions().stream().filter(PartitionTracker::paused).count() == PARTITIONS);

			second = run("attack-rebalance");
			// the first instance waits for its in-flight records in the revocation
			await().atMost(WAIT).until(() -> threadIn(PartitionHandover.class, "awaitRevoked"));
			firstListener.gate().countDown();

			AttackListener secondListener = second.getBean(AttackListener.class);
			await().atMost(WAIT)
				.until(() -> firstListener.deliveries().count.get()
						+ secondListener.deliveries().count.get() >= records);
			KafkaTestSupport.awaitCommittedToEnd(broker, "attack-rebalance-group", "attack-rebalance");

			List<String> all = new ArrayList<>(firstListener.deliveries().byRecord.keySet());
			all.addAll(secondListener.deliveries().byRecord.keySet());
			assertThat(output).doesNotContain("on revocation; the consumer that takes the partitions over");
			assertThat(all).hasSize(records).doesNotHaveDuplicates();
			assertThat(firstListener.deliveries().count.get() + secondListener.deliveries().count.get())
				.isEqualTo(records);
			KafkaTestSupport.assertInOrderPerKey(firstListener.deliveries());
			KafkaTestSupport.assertInOrderPerKey(secondListener.deliveries());
		}
		finally {
			first.getBean(AttackListener.class).gate().countDown();
			first.close();
			if (second != null) {
				second.close();
			}
		}
	}

	/**
	 * Attack 2: the application stops while a record's future never completes within the
	 * revocation timeout. The next instance of the group must process again exactly that
	 * record: the records after it in its partition completed (the commit's metadata says
	 * so) and nothing of the other partition is run again.
	 */
	@Test
	void stopWithARecordThatNeverCompletesShouldHaveTheNextInstanceRunOnlyThatRecord(CapturedOutput output)
			throws Exception {
		int records = 200;
		String group = "attack-stop-group";
		ConsumerRecord<?, ?> stuck;
		try (ConfigurableApplicationContext first = run("attack-stop", "test.stick-key=key-3",
				"eventloop.kafka.revocation-timeout=1s")) {
			AttackListener listener = first.getBean(AttackListener.class);
			KafkaTestSupport.produce(broker, "attack-stop", records, KEYS);
			await().atMost(WAIT).until(() -> listener.deliveries().count.get() >= records - 1);
			stuck = listener.stuck().get(WAIT.toSeconds(), TimeUnit.SECONDS);
			TopicPartition stuckPartition = partition(stuck);
			Map<TopicPartition, Long> end = KafkaTestSupport.endOffsets(broker, "attack-stop");
			Map<TopicPartition, Long> expected = new HashMap<>(end);
			expected.put(stuckPartition, stuck.offset());
			await().atMost(WAIT).until(() -> KafkaTestSupport.committed(broker, group).equals(expected));
		}
		assertThat(output).contains("records still in flight on event loops after waiting PT1S");
		TopicPartition stuckPartition = partition(stuck);
		Map<TopicPartition, Long> end = KafkaTestSupport.endOffsets(broker, "attack-stop");
		assertThat(KafkaTestSupport.committed(broker, group)).containsEntry(stuckPartition, stuck.offset());

		try (ConfigurableApplicationContext next = run("attack-stop")) {
			AttackListener listener = next.getBean(AttackListener.class);
			KafkaTestSupport.awaitCommittedToEnd(broker, group, "attack-stop");
			assertThat(end.get(stuckPartition)).isGreaterThan(stuck.offset() + 1);
			// the records after it completed, and the commit's metadata says so
			assertThat(listener.attemptsByRecord()).containsOnlyKeys(KafkaRecordDispatcher.describe(stuck));
			assertThat(listener.deliveries().count).hasValue(1);
		}
	}

	/**
	 * Attack 3: with a 30 s poll timeout and no new records, a record completing while
	 * the consumer waits in its poll is committed anyway, long before the poll would
	 * return: the poll is cut into slices of the commit interval.
	 */
	@Test
	void completionsShouldBeCommittedWhileTheConsumerWaitsInALongPoll() throws Exception {
		int records = 100;
		String group = "attack-poll-group";
		try (ConfigurableApplicationContext context = run("attack-poll", "test.stick-key=key-3",
				"spring.kafka.listener.poll-timeout=30s")) {
			AttackListener listener = context.getBean(AttackListener.class);
			KafkaTestSupport.produce(broker, "attack-poll", records, KEYS);
			await().atMost(WAIT).until(() -> listener.deliveries().count.get() >= records - 1);
			ConsumerRecord<?, ?> stuck = listener.stuck().get(WAIT.toSeconds(), TimeUnit.SECONDS);
			Map<TopicPartition, Long> end = KafkaTestSupport.endOffsets(broker, "attack-poll");
			TopicPartition other = new TopicPartition(stuck.topic(), 1 - stuck.partition());
			// while the record is stuck, the other partition is committed to its end and
			// the stuck record's partition up to the stuck record
			Map<TopicPartition, Long> whileStuck = await().atMost(WAIT)
				.until(() -> KafkaTestSupport.committed(broker, group),
						(committed) -> end.get(other).equals(committed.get(other))
								&& committed.getOrDefault(partition(stuck), -1L) >= stuck.offset());
			assertThat(whileStuck).containsEntry(partition(stuck), stuck.offset());
			assertThat(listener.unstick()).as("the record is still stuck").isNotDone();

			listener.unstick().complete(null);
			// no record arrives any more: only a sliced poll commits before 30 s have
			// passed
			await().atMost(Duration.ofSeconds(15)).until(() -> KafkaTestSupport.committed(broker, group).equals(end));
			assertThat(listener.deliveries().count).hasValue(records);
		}
	}

	/**
	 * Attack 4: a record keeps failing (retried with back-off, then recovered) while the
	 * later records of its partition complete: until the error handler recovers it, no
	 * commit of its partition passes it; then the partition is committed to its end.
	 */
	@Test
	void failingRecordShouldHoldTheCommitPointUntilTheErrorHandlerRecoversIt() throws Exception {
		int records = 200;
		try (ConfigurableApplicationContext context = run(FailingApplication.class, "attack-failing",
				"test.fail-key=key-3")) {
			AttackListener listener = context.getBean(AttackListener.class);
			Recoveries recoveries = context.getBean(Recoveries.class);
			KafkaTestSupport.produce(broker, "attack-failing", records, KEYS);
			await().atMost(WAIT).until(() -> recoveries.records.size() == 1);
			KafkaTestSupport.awaitCommittedToEnd(broker, "attack-failing-group", "attack-failing");

			Recovery recovery = recoveries.records.get(0);
			assertThat(recovery.completedAfter()).as("later records of its partition completed while it failed")
				.isPositive();
			assertThat(recovery.commitsBefore())
				.allSatisfy((offset) -> assertThat(offset).isLessThanOrEqualTo(recovery.offset()));
			// one delivery and three retries of the failing record, one of every other
			String failing = KafkaRecordDispatcher.describe(listener.failed().getNow(null));
			assertThat(failing).endsWith("@" + recovery.offset());
			assertThat(listener.attemptsByRecord()).hasSize(records);
			listener.attemptsByRecord()
				.forEach((record, attempts) -> assertThat(attempts).as("attempts of %s", record)
					.hasValue(record.equals(failing) ? 4 : 1));
			assertThat(listener.attempts()).hasValue(records + 3);
			assertThat(listener.deliveries().count).hasValue(records - 1);
			assertThat(listener.deliveries().redelivered()).isZero();
		}
	}

	/**
	 * Attack 5: a revocation times out with a record in flight, and the partitions go
	 * back to the same instance (another member of the group subscribes to another
	 * topic). The instance takes the partition over from the commit point and its
	 * metadata: it runs the timed-out record again and skips the records that had
	 * completed beyond it; the stale tracker of the timed-out record must not hold the
	 * commit point: the partition is committed to its end once the record's second
	 * delivery completes.
	 */
	@Test
	void partitionsGivenBackToTheSameInstanceAfterATimedOutRevocationShouldBeCommittedToTheEnd() throws Exception {
		int records = 200;
		String group = "attack-reassign-group";
		try (ConfigurableApplicationContext context = run("attack-reassign", "test.stick-key=key-3",
				"eventloop.kafka.revocation-timeout=1s")) {
			AttackListener listener = context.getBean(AttackListener.class);
			KafkaTestSupport.produce(broker, "attack-reassign", records, KEYS);
			await().atMost(WAIT).until(() -> listener.deliveries().count.get() >= records - 1);
			ConsumerRecord<?, ?> stuck = listener.stuck().get(WAIT.toSeconds(), TimeUnit.SECONDS);
			TopicPartition stuckPartition = partition(stuck);
			Map<TopicPartition, Long> end = KafkaTestSupport.endOffsets(broker, "attack-reassign");

			try (KafkaConsumer<String, String> other = otherMember(group)) {
				other.subscribe(List.of("attack-other"));
				await().atMost(WAIT).pollInSameThread().until(() -> {
					other.poll(Duration.ofMillis(100));
					return !other.assignment().isEmpty();
				});
				await().atMost(WAIT).pollInSameThread().until(() -> {
					other.poll(Duration.ofMillis(100));
					return KafkaTestSupport.committed(broker, group).entrySet().containsAll(end.entrySet());
				});
			}
			// the commit at the timed-out revocation carried the records completed beyond
			// the stuck one: only the stuck record ran again (its first delivery never
			// completed, its second did), every other record ran once
			String described = KafkaRecordDispatcher.describe(stuck);
			listener.attemptsByRecord()
				.forEach((record, attempts) -> assertThat(attempts).as(record)
					.hasValue(record.equals(described) ? 2 : 1));
			assertThat(listener.attemptsByRecord()).containsKey(stuckPartition + "@" + stuck.offset());
			listener.deliveries().byRecord.forEach((record, count) -> assertThat(count).as(record).hasValue(1));
			assertThat(listener.deliveries().distinctRecords()).isEqualTo(records);
		}
	}

	/**
	 * Attack 6: one bean, two dispatched listener methods of two groups on the same topic
	 * (one of them with two consumers), each with a record that keeps failing in the same
	 * partition at the same time, and a plain listener of a third group on the same
	 * consumer factory. Each group's failing record must be attempted exactly as often as
	 * the error handler's back-off says and recovered once; every group is committed to
	 * the end, the plain one by Spring Kafka's own commits.
	 */
	@Test
	void groupsFailingRecordsOfOnePartitionShouldEachGetTheirOwnRetries() throws Exception {
		int records = 200;
		try (ConfigurableApplicationContext context = run(GroupsApplication.class, "attack-groups")) {
			GroupsListener listener = context.getBean(GroupsListener.class);
			Recoveries recoveries = context.getBean(Recoveries.class);
			// group a has two consumers: both must hold a partition, or the second
			// one's join would move the failing record's partition mid-retry and
			// start its attempts over on the new owner
			await().atMost(WAIT)
				.until(() -> KafkaTestSupport.assigned(context).size() == 3 * PARTITIONS
						&& KafkaTestSupport.everyConsumerAssigned(context));
			KafkaTestSupport.produce(broker, "attack-groups", records, KEYS);

			await().atMost(WAIT).until(() -> recoveries.records.size() >= 2);
			for (String group : List.of("attack-groups-a", "attack-groups-b", "attack-groups-plain")) {
				KafkaTestSupport.awaitCommittedToEnd(broker, group, "attack-groups");
			}
			assertThat(recoveries.records).extracting(Recovery::group)
				.containsExactlyInAnyOrder("attack-groups-a", "attack-groups-b");
			// one delivery and three retries of the failing record in each group, one
			// of every other record
			for (String group : List.of("attack-groups-a", "attack-groups-b")) {
				Map<String, AtomicInteger> attempts = listener.attemptsByRecord().get(group);
				assertThat(attempts).as("records attempted in %s", group).hasSize(records);
				String failing = listener.failed().get(group);
				assertThat(failing).as("failing record of %s", group).isNotNull();
				attempts.forEach((record, count) -> assertThat(count).as("attempts of %s in %s", record, group)
					.hasValue(record.equals(failing) ? 4 : 1));
			}
			assertThat(listener.attempts().get("attack-groups-a")).hasValue(records + 3);
			assertThat(listener.attempts().get("attack-groups-b")).hasValue(records + 3);
			assertThat(listener.plain().count).hasValue(records);
			assertThat(context.getBean(KafkaRecordDispatcher.class).partitions())
				.noneMatch((tracker) -> tracker.groupId().equals("attack-groups-plain"));
		}
	}

	/**
	 * Attack 7: a listener container with a Kafka transaction manager (Boot configures
	 * one when {@code spring.kafka.producer.transaction-id-prefix} is set) sends the
	 * offsets of the records it takes as done to the transaction, past the consumer. A
	 * record that has not completed must still hold the commit point of its partition.
	 */
	@Test
	void transactionalContainerShouldNotCommitPastARecordThatHasNotCompleted() throws Exception {
		int records = 40;
		String group = "attack-transactions-group";
		try (ConfigurableApplicationContext context = run("attack-transactions", "test.stick-key=key-3",
				"spring.kafka.producer.transaction-id-prefix=attack-tx-")) {
			AttackListener listener = context.getBean(AttackListener.class);
			KafkaTestSupport.produce(broker, "attack-transactions", records, KEYS);
			await().atMost(WAIT).until(() -> listener.deliveries().count.get() >= records - 1);
			ConsumerRecord<?, ?> stuck = listener.stuck().get(WAIT.toSeconds(), TimeUnit.SECONDS);
			TopicPartition other = new TopicPartition(stuck.topic(), 1 - stuck.partition());
			Map<TopicPartition, Long> end = KafkaTestSupport.endOffsets(broker, "attack-transactions");
			// the other partition is committed to its end, by whatever commits offsets
			await().atMost(WAIT)
				.until(() -> end.get(other).equals(KafkaTestSupport.committed(broker, group).get(other)));
			assertThat(KafkaTestSupport.committed(broker, group).get(partition(stuck)))
				.as("committed offset of the partition of the record that has not completed")
				.isLessThanOrEqualTo(stuck.offset());

			listener.unstick().complete(null);
			KafkaTestSupport.awaitCommittedToEnd(broker, group, "attack-transactions");
			assertThat(listener.deliveries().count).hasValue(records);
		}
	}

	/**
	 * Attack 8: an error handler that does not acknowledge the records it recovers
	 * ({@code ackAfterHandle=false}), as Spring Kafka allows. The container would commit
	 * past such a record once a later record of its partition is acknowledged; the
	 * partition must not stop being committed at the recovered record for good (after a
	 * restart it would be delivered, recovered and stuck again).
	 */
	@Test
	void recordRecoveredWithoutAcknowledgementShouldNotStopTheCommitsOfItsPartition() throws Exception {
		int records = 100;
		try (ConfigurableApplicationContext context = run(NoAckAfterHandleApplication.class, "attack-no-ack",
				"test.fail-key=key-3")) {
			AttackListener listener = context.getBean(AttackListener.class);
			Recoveries recoveries = context.getBean(Recoveries.class);
			KafkaTestSupport.produce(broker, "attack-no-ack", records, KEYS);
			await().atMost(WAIT).until(() -> recoveries.records.size() == 1);
			await().atMost(WAIT).until(() -> listener.deliveries().count.get() >= records - 1);
			KafkaTestSupport.awaitCommittedToEnd(broker, "attack-no-ack-group", "attack-no-ack");
			assertThat(listener.deliveries().redelivered()).isZero();
		}
	}

	/**
	 * Attack 9: {@code enable.auto.commit=true}: the Kafka consumer would commit the
	 * positions it has polled to by itself, from within poll, past records that have not
	 * completed. The application does not start: a listener returning a future puts the
	 * container in manual acknowledgement, which Spring Kafka refuses with auto commit.
	 */
	@Test
	void autoCommitShouldNotBeAccepted() {
		assertThatException()
			.isThrownBy(() -> run("attack-auto-commit", "spring.kafka.consumer.enable-auto-commit=true").close())
			.havingRootCause()
			.withMessageContaining("Consumer cannot be configured for auto commit");
	}

	/**
	 * Attack 10: the application's own rebalance listener commits the consumer's
	 * positions ({@code consumer.commitSync()}, without offsets) when partitions are
	 * revoked, as some applications do. A record that has not completed must still hold
	 * the commit point of its partition.
	 */
	@Test
	void applicationCommittingPositionsOnRevocationShouldNotCommitPastARecordThatHasNotCompleted() throws Exception {
		assertNoCommitPastAStuckRecord("attack-user-commit", CommittingRebalanceListenerApplication.class,
				"eventloop.kafka.revocation-timeout=500ms");
	}

	/**
	 * Attack 11: the application stops while a failed record waits for its next attempt
	 * in a long back-off. The record is given up without being recovered: it must not be
	 * committed, and the next instance must get it (and the records after it in its
	 * partition) again; the stop must not wait for the back-off.
	 */
	@Test
	void stopDuringTheBackOffOfAFailedRecordShouldHaveTheNextInstanceDeliverItAgain() throws Exception {
		int records = 40;
		String topic = "attack-stop-retrying";
		String group = topic + "-group";
		ConsumerRecord<?, ?> failing;
		try (ConfigurableApplicationContext first = run(LongBackOffApplication.class, topic, "test.fail-key=key-3")) {
			AttackListener listener = first.getBean(AttackListener.class);
			KafkaTestSupport.produce(broker, topic, records, KEYS);
			await().atMost(WAIT).until(() -> listener.deliveries().count.get() >= records - 1);
			failing = listener.failed().get(WAIT.toSeconds(), TimeUnit.SECONDS);
			TopicPartition other = new TopicPartition(topic, 1 - failing.partition());
			Map<TopicPartition, Long> end = KafkaTestSupport.endOffsets(broker, topic);
			await().atMost(WAIT)
				.until(() -> end.get(other).equals(KafkaTestSupport.committed(broker, group).get(other)));
		}
		assertThat(KafkaTestSupport.committed(broker, group).get(partition(failing)))
			.isLessThanOrEqualTo(failing.offset());
		try (ConfigurableApplicationContext next = run(topic)) {
			AttackListener listener = next.getBean(AttackListener.class);
			await().atMost(WAIT)
				.until(() -> listener.deliveries().byRecord.containsKey(KafkaRecordDispatcher.describe(failing)));
			KafkaTestSupport.awaitCommittedToEnd(broker, group, topic);
			assertThat(listener.deliveries().redelivered()).isZero();
		}
	}

	/**
	 * Attack 12: a listener container stopped and started again in a running application
	 * while a record never completes (the revocation at the stop times out). The
	 * restarted container's new consumer thread must dispatch to the loops again, start
	 * from the commit point, skip what the commit's metadata says completed, and commit
	 * to the end once the record's second delivery completes: no state of the stopped
	 * consumer may hold it.
	 */
	@Test
	void containerRestartedAfterATimedOutStopShouldDispatchAgainAndCommitToTheEnd() throws Exception {
		int records = 40;
		String topic = "attack-restart";
		String group = topic + "-group";
		try (ConfigurableApplicationContext context = run(topic, "test.stick-key=key-3",
				"eventloop.kafka.revocation-timeout=500ms")) {
			AttackListener listener = context.getBean(AttackListener.class);
			KafkaTestSupport.produce(broker, topic, records, KEYS);
			await().atMost(WAIT).until(() -> listener.deliveries().count.get() >= records - 1);
			ConsumerRecord<?, ?> stuck = listener.stuck().get(WAIT.toSeconds(), TimeUnit.SECONDS);
			MessageListenerContainer container = context.getBean(KafkaListenerEndpointRegistry.class)
				.getListenerContainers()
				.iterator()
				.next();
			container.stop();
			assertThat(KafkaTestSupport.committed(broker, group).get(partition(stuck)))
				.isLessThanOrEqualTo(stuck.offset());
			container.start();

			KafkaTestSupport.awaitCommittedToEnd(broker, group, topic);
			long end = KafkaTestSupport.endOffsets(broker, topic).get(partition(stuck));
			// only the stuck record runs again: the records completed beyond it were
			// committed in the metadata of the stop's commit
			assertThat(end).isGreaterThan(stuck.offset() + 1);
			assertThat(listener.deliveries().count).hasValue(records);
			assertThat(listener.attempts()).hasValue(records + 1);
			assertThat(listener.deliveries().threadsByKey.values())
				.allSatisfy((threads) -> assertThat(threads).allMatch((thread) -> thread.startsWith("workers-")));
		}
	}

	private void assertNoCommitPastAStuckRecord(String topic, Class<?> application, String... properties)
			throws Exception {
		int records = 40;
		String group = topic + "-group";
		List<String> arguments = new ArrayList<>(List.of(properties));
		arguments.add("test.stick-key=key-3");
		ConsumerRecord<?, ?> stuck;
		try (ConfigurableApplicationContext context = run(application, topic, arguments.toArray(String[]::new))) {
			AttackListener listener = context.getBean(AttackListener.class);
			KafkaTestSupport.produce(broker, topic, records, KEYS);
			await().atMost(WAIT).until(() -> listener.deliveries().count.get() >= records - 1);
			stuck = listener.stuck().get(WAIT.toSeconds(), TimeUnit.SECONDS);
			TopicPartition other = new TopicPartition(topic, 1 - stuck.partition());
			Map<TopicPartition, Long> end = KafkaTestSupport.endOffsets(broker, topic);
			await().atMost(WAIT)
				.until(() -> end.get(other).equals(KafkaTestSupport.committed(broker, group).get(other)));
			assertThat(KafkaTestSupport.committed(broker, group).get(partition(stuck)))
				.as("committed offset of the partition of the record that has not completed")
				.isLessThanOrEqualTo(stuck.offset());
		}
		assertThat(KafkaTestSupport.committed(broker, group).get(partition(stuck)))
			.as("committed offset, after the stop, of the partition of the record that has not completed")
			.isLessThanOrEqualTo(stuck.offset());
	}

	private static KafkaConsumer<String, String> otherMember(String group) {
		Map<String, Object> properties = new HashMap<>(KafkaTestUtils.consumerProps(broker, group, false));
		properties.put("key.deserializer", StringDeserializer.class);
		properties.put("value.deserializer", StringDeserializer.class);
		return new KafkaConsumer<>(properties);
	}

	private static boolean threadIn(Class<?> type, String method) {
		return Thread.getAllStackTraces()
			.values()
			.stream()
			.anyMatch((stack) -> Arrays.stream(stack)
				.anyMatch((frame) -> frame.getClassName().equals(type.getName())
						&& frame.getMethodName().equals(method)));
	}

	private static TopicPartition partition(ConsumerRecord<?, ?> record) {
		return new TopicPartition(record.topic(), record.partition());
	}

	private static ConfigurableApplicationContext run(String topic, String... properties) {
		return run(AttackApplication.class, topic, properties);
	}

	private static ConfigurableApplicationContext run(Class<?> application, String topic, String... properties) {
		// unordered: a stuck or failing record here must not hold the later records of
		// its
		// key, which these tests need to complete around it (under key ordering they wait
		// for it, as KafkaKeyOrderingTests shows)
		return KafkaTestSupport.run(broker, application, topic,
				StringUtils.addStringToArray(properties, "eventloop.kafka.ordering=unordered"));
	}

	private static String groupOf(Exception ex) {
		return (ex instanceof ListenerExecutionFailedException failed && failed.getGroupId() != null)
				? failed.getGroupId() : "?";
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class AttackApplication {

		@Bean
		AttackListener attackListener() {
			return new AttackListener();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@Import(AttackApplication.class)
	static class FailingApplication {

		@Bean
		KafkaOnEventLoopTests.CommitSpy commitSpy() {
			return new KafkaOnEventLoopTests.CommitSpy();
		}

		@Bean
		DefaultKafkaConsumerFactoryCustomizer commitSpyCustomizer(KafkaOnEventLoopTests.CommitSpy spy) {
			return (factory) -> factory.addPostProcessor(spy::wrap);
		}

		@Bean
		Recoveries recoveries() {
			return new Recoveries();
		}

		@Bean
		DefaultErrorHandler errorHandler(Recoveries recoveries, KafkaOnEventLoopTests.CommitSpy spy,
				AttackListener listener) {
			return new DefaultErrorHandler((record, ex) -> {
				TopicPartition partition = partition(record);
				long completedAfter = listener.deliveries().byRecord.keySet()
					.stream()
					.filter((described) -> described.startsWith(partition + "@")
							&& Long.parseLong(described.substring(described.indexOf('@') + 1)) > record.offset())
					.count();
				recoveries.records
					.add(new Recovery(groupOf(ex), record.offset(), spy.offsets(partition), completedAfter));
			}, new FixedBackOff(200, 3));
		}

	}

	@Configuration(proxyBeanMethods = false)
	@Import(AttackApplication.class)
	static class CommittingRebalanceListenerApplication {

		@Bean
		ConsumerAwareRebalanceListener committingRebalanceListener() {
			return new ConsumerAwareRebalanceListener() {

				@Override
				public void onPartitionsRevokedBeforeCommit(Consumer<?, ?> consumer,
						Collection<TopicPartition> partitions) {
					consumer.commitSync();
				}

			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	@Import(AttackApplication.class)
	static class LongBackOffApplication {

		@Bean
		DefaultErrorHandler errorHandler() {
			return new DefaultErrorHandler(null, new FixedBackOff(60_000, 10), new LoopBackOffHandler());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@Import(AttackApplication.class)
	static class NoAckAfterHandleApplication {

		@Bean
		Recoveries recoveries() {
			return new Recoveries();
		}

		@Bean
		DefaultErrorHandler errorHandler(Recoveries recoveries) {
			DefaultErrorHandler handler = new DefaultErrorHandler(
					(record, ex) -> recoveries.records.add(new Recovery(groupOf(ex), record.offset(), List.of(), 0)),
					new FixedBackOff(0, 1));
			handler.setAckAfterHandle(false);
			return handler;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class GroupsApplication {

		@Bean
		GroupsListener groupsListener() {
			return new GroupsListener();
		}

		@Bean
		Recoveries recoveries() {
			return new Recoveries();
		}

		@Bean
		DefaultErrorHandler errorHandler(Recoveries recoveries) {
			return new DefaultErrorHandler(
					(record, ex) -> recoveries.records.add(new Recovery(groupOf(ex), record.offset(), List.of(), 0)),
					new FixedBackOff(200, 3));
		}

	}

	static class Recoveries {

		final List<Recovery> records = new CopyOnWriteArrayList<>();

	}

	record Recovery(String group, long offset, List<Long> commitsBefore, long completedAfter) {
	}

	/**
	 * Records every successful delivery. With {@code test.gate}, the first record each
	 * loop runs keeps that loop busy until the test opens the gate; with
	 * {@code test.stick-key}, the first delivery of the first record of that key never
	 * completes unless the test says so; with {@code test.fail-key}, the first record of
	 * that key always fails.
	 */
	public static class AttackListener {

		final KafkaTestSupport.Deliveries deliveries = new KafkaTestSupport.Deliveries();

		final AtomicInteger attempts = new AtomicInteger();

		final Map<String, AtomicInteger> attemptsByRecord = new ConcurrentHashMap<>();

		final CountDownLatch gate = new CountDownLatch(1);

		final Set<EventLoop> gated = ConcurrentHashMap.newKeySet();

		final CompletableFuture<ConsumerRecord<?, ?>> stuck = new CompletableFuture<>();

		final CompletableFuture<Void> unstick = new CompletableFuture<>();

		final CompletableFuture<ConsumerRecord<?, ?>> failed = new CompletableFuture<>();

		@Value("${test.gate:false}")
		boolean gateLoops;

		@Value("${test.stick-key:}")
		String stickKey;

		@Value("${test.fail-key:}")
		String failKey;

		@KafkaListener(topics = "${test.topic}", groupId = "${test.group}")
		@OnEventLoop(value = "workers", key = "#record.key()")
		public CompletableFuture<Void> handle(ConsumerRecord<String, String> record) throws InterruptedException {
			this.attempts.incrementAndGet();
			this.attemptsByRecord
				.computeIfAbsent(KafkaRecordDispatcher.describe(record), (described) -> new AtomicInteger())
				.incrementAndGet();
			if (this.gateLoops && this.gated.add(EventLoop.current().orElseThrow())) {
				// a long record: keeps the loop busy while its queue fills up
				this.gate.await(WAIT.toSeconds(), TimeUnit.SECONDS);
			}
			if (record.key().equals(this.failKey) && record.value().equals("0")) {
				this.failed.complete(record);
				return CompletableFuture.failedFuture(new IllegalStateException("Refusing " + record.key()));
			}
			if (record.key().equals(this.stickKey) && this.stuck.complete(record)) {
				return this.unstick.thenRun(() -> delivered(record));
			}
			delivered(record);
			return CompletableFuture.completedFuture(null);
		}

		private void delivered(ConsumerRecord<String, String> record) {
			this.deliveries.record(KafkaRecordDispatcher.describe(record), record.key(), record.value());
		}

		public KafkaTestSupport.Deliveries deliveries() {
			return this.deliveries;
		}

		public AtomicInteger attempts() {
			return this.attempts;
		}

		/**
		 * How often each record, as {@code topic-partition@offset}, was attempted.
		 */
		public Map<String, AtomicInteger> attemptsByRecord() {
			return this.attemptsByRecord;
		}

		public CountDownLatch gate() {
			return this.gate;
		}

		public CompletableFuture<ConsumerRecord<?, ?>> stuck() {
			return this.stuck;
		}

		public CompletableFuture<Void> unstick() {
			return this.unstick;
		}

		public CompletableFuture<ConsumerRecord<?, ?>> failed() {
			return this.failed;
		}

	}

	/**
	 * Two dispatched listener methods of two groups on one topic, each failing one record
	 * of {@code key-3} on every attempt, and a plain listener of a third group.
	 */
	public static class GroupsListener {

		final Map<String, AtomicInteger> attempts = Map.of("attack-groups-a", new AtomicInteger(), "attack-groups-b",
				new AtomicInteger());

		final Map<String, Map<String, AtomicInteger>> attemptsByRecord = Map.of("attack-groups-a",
				new ConcurrentHashMap<>(), "attack-groups-b", new ConcurrentHashMap<>());

		final Map<String, String> failed = new ConcurrentHashMap<>();

		final KafkaTestSupport.Deliveries plain = new KafkaTestSupport.Deliveries();

		@KafkaListener(topics = "attack-groups", groupId = "attack-groups-a", concurrency = "2")
		@OnEventLoop(value = "workers", key = "#record.key()")
		public CompletableFuture<Void> first(ConsumerRecord<String, String> record) {
			return attempt("attack-groups-a", record, "1");
		}

		@KafkaListener(topics = "attack-groups", groupId = "attack-groups-b")
		@OnEventLoop(value = "workers", key = "#record.key()")
		public CompletableFuture<Void> second(ConsumerRecord<String, String> record) {
			return attempt("attack-groups-b", record, "4");
		}

		@KafkaListener(topics = "attack-groups", groupId = "attack-groups-plain")
		public void plain(ConsumerRecord<String, String> record) {
			this.plain.record(KafkaRecordDispatcher.describe(record), record.key(), record.value());
		}

		private CompletableFuture<Void> attempt(String group, ConsumerRecord<String, String> record, String failing) {
			this.attempts.get(group).incrementAndGet();
			this.attemptsByRecord.get(group)
				.computeIfAbsent(KafkaRecordDispatcher.describe(record), (described) -> new AtomicInteger())
				.incrementAndGet();
			if (record.key().equals("key-3") && record.value().equals(failing)) {
				this.failed.put(group, KafkaRecordDispatcher.describe(record));
				return CompletableFuture.failedFuture(new IllegalStateException("Refusing " + record.key()));
			}
			return CompletableFuture.completedFuture(null);
		}

		public Map<String, AtomicInteger> attempts() {
			return this.attempts;
		}

		/**
		 * By group, how often each record, as {@code topic-partition@offset}, was
		 * attempted.
		 */
		public Map<String, Map<String, AtomicInteger>> attemptsByRecord() {
			return this.attemptsByRecord;
		}

		/**
		 * By group, the record that failed, as {@code topic-partition@offset}.
		 */
		public Map<String, String> failed() {
			return this.failed;
		}

		public KafkaTestSupport.Deliveries plain() {
			return this.plain;
		}

	}

}
