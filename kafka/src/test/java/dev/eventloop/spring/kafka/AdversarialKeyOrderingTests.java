package dev.eventloop.spring.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.eventloop.EventLoop;
import dev.eventloop.spring.OnEventLoop;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.kafka.test.utils.KafkaTestUtils;
import org.springframework.test.util.AopTestUtils;
import org.springframework.util.backoff.FixedBackOff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Adversarial tests of the key-ordering promises of docs/kafka.md against a real broker:
 * futures completed on foreign threads, before the method returns, long after, cancelled
 * or failed; listeners that throw; a failing record under partition ordering; an error
 * handler that throws; a rebalance while a record waits for its retry; tight bounds
 * ({@code max-in-flight=1}, {@code high-water-mark=1} with a tiny loop queue kept full of
 * other work); a takeover with new records arriving; a partition given back to the same
 * instance several times; one key spread over both partitions.
 * <p>
 * Every listener call and every completion is appended to one event log, in the order
 * they happen, and the promises are checked on that log afterwards.
 */
@ExtendWith(OutputCaptureExtension.class)
class AdversarialKeyOrderingTests {

	private static final int PARTITIONS = 2;

	private static final Duration WAIT = Duration.ofSeconds(30);

	// members notice a rebalance within a fifth of a second instead of three seconds
	private static final String HEARTBEAT = "spring.kafka.consumer.heartbeat-interval=200ms";

	// shared by the instances of one test: whether a record chosen by the test fails
	private static final AtomicBoolean failing = new AtomicBoolean();

	private static EmbeddedKafkaBroker broker;

	private static ScheduledExecutorService foreign;

	@BeforeAll
	static void startBroker() {
		broker = new EmbeddedKafkaKraftBroker(1, PARTITIONS, "adv-mixed", "adv-partition", "adv-handler",
				"adv-recoverer", "adv-backoff", "adv-one", "adv-hwm", "adv-takeover", "adv-reassign", "adv-other");
		broker.afterPropertiesSet();
		foreign = Executors.newScheduledThreadPool(2, (runnable) -> {
			Thread thread = new Thread(runnable, "foreign-" + System.nanoTime());
			thread.setDaemon(true);
			return thread;
		});
	}

	@AfterAll
	static void stopBroker() {
		foreign.shutdownNow();
		broker.destroy();
	}

	@BeforeEach
	void reset() {
		failing.set(true);
	}

	/**
	 * Scenario 1 (key ordering): per key, a different way for the future to end. Futures
	 * completed before the method returns, on a foreign thread, 300 ms later on the loop
	 * timer, failed on a foreign thread, failed before the method returns, cancelled by
	 * the listener, and a method that throws. Besides, one key is spread over both
	 * partitions (ordered per partition, on one loop). Every record must succeed exactly
	 * once, retried ones exactly as often as they failed plus one, no record of a key may
	 * start while its key has one in flight, and every key stays on one loop thread.
	 */
	@Test
	void everyWayAFutureCanEndKeepsKeyOrderAndRetriesInPlace() throws Exception {
		int records = 400;
		int keys = 20;
		String topic = "adv-mixed";
		try (ConfigurableApplicationContext context = run(topic, "eventloop.kafka.retry.attempts=10",
				"eventloop.kafka.retry.delay=20ms")) {
			Probe probe = probe(context);
			probe.behavior = (attempt) -> {
				String key = attempt.record.key();
				int seq = attempt.seq();
				int n = attempt.attempt;
				switch (key) {
					case "key-0" -> attempt.succeed();
					case "key-1" -> attempt.onForeignThread(1, attempt::succeed);
					case "key-2" -> {
						if (seq == 0 && n <= 2) {
							attempt.onForeignThread(2, () -> attempt.fail("foreign failure"));
						}
						else {
							attempt.onForeignThread(1, attempt::succeed);
						}
					}
					case "key-3" -> {
						if (seq == 0 && n <= 2) {
							throw attempt.thrown("synchronous throw");
						}
						attempt.succeedOnLoopLater();
					}
					case "key-4" -> {
						if (seq == 1 && n == 1) {
							attempt.onForeignThread(3, attempt::cancel);
						}
						else {
							attempt.succeedOnLoopLater();
						}
					}
					case "key-5" -> {
						if (seq == 2 && n == 1) {
							attempt.fail("failed before returning");
						}
						else {
							attempt.succeed();
						}
					}
					case "key-6" -> {
						if (seq == 0) {
							attempt.loop.schedule(attempt::succeed, Duration.ofMillis(300));
						}
						else {
							attempt.succeedOnLoopLater();
						}
					}
					default -> {
						if (key.startsWith("spread")) {
							attempt.onForeignThread(1, attempt::succeed);
						}
						else {
							attempt.succeedOnLoopLater();
						}
					}
				}
			};
			KafkaTestSupport.produce(broker, topic, records, keys);
			int spread = produceSpread(topic, "spread", 100);
			int total = records + spread;
			await().atMost(WAIT).until(() -> probe.successes().size() >= total);
			KafkaTestSupport.awaitCommittedToEnd(broker, topic + "-group", topic);

			List<Event> events = probe.events();
			Map<String, Long> successes = successesByRecord(events);
			assertThat(successes).hasSize(total);
			assertThat(successes).allSatisfy((record, count) -> assertThat(count).as(record).isEqualTo(1));
			assertThat(overlapsWithinLane(events)).as("records started while their key had one in flight").isEmpty();
			assertInOrderPerLane(events);
			// the failing records were attempted exactly as often as they failed, plus
			// one
			Map<String, Long> attempts = attemptsByKeyAndSeq(events);
			assertThat(attempts).containsEntry("key-2/0", 3L)
				.containsEntry("key-3/0", 3L)
				.containsEntry("key-4/1", 2L)
				.containsEntry("key-5/2", 2L);
			assertThat(attempts.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(total + 2 + 2 + 1 + 1);
			// a later record of a retried key starts only after the retried one succeeded
			assertStartsAfterSuccess(events, "key-2", 0);
			assertStartsAfterSuccess(events, "key-3", 0);
			assertStartsAfterSuccess(events, "key-4", 1);
			assertStartsAfterSuccess(events, "key-5", 2);
			assertStartsAfterSuccess(events, "key-6", 0);
			// a key stays on one loop thread, even when spread over both partitions
			threadsByKey(events).forEach((key, threads) -> assertThat(threads).as("threads of %s", key)
				.hasSize(1)
				.allMatch((thread) -> thread.startsWith("workers-")));
			assertThat(
					events.stream().filter((event) -> event.key.startsWith("spread")).map((event) -> event.partition))
				.as("the spread keys use both partitions")
				.contains(0, 1);
		}
	}

	/**
	 * Scenario 2 (partition ordering): a record fails three times, 150 ms apart, before
	 * it succeeds. Its whole partition must wait for it and then resume in offset order,
	 * while the other partition keeps flowing.
	 */
	@Test
	void aFailingRecordUnderPartitionOrderingHoldsItsWholePartitionAndOnlyIt() throws Exception {
		int records = 200;
		String topic = "adv-partition";
		try (ConfigurableApplicationContext context = run(topic, "eventloop.kafka.ordering=partition",
				"eventloop.kafka.retry.attempts=10", "eventloop.kafka.retry.delay=150ms")) {
			Probe probe = probe(context);
			probe.behavior = (attempt) -> {
				if (attempt.record.key().equals("key-3") && attempt.seq() == 0 && attempt.attempt <= 3) {
					attempt.onForeignThread(1, () -> attempt.fail("partition failure"));
				}
				else {
					attempt.loop.schedule(attempt::succeed, Duration.ofMillis(10));
				}
			};
			KafkaTestSupport.produce(broker, topic, records, 20);
			await().atMost(WAIT).until(() -> probe.successes().size() >= records);
			KafkaTestSupport.awaitCommittedToEnd(broker, topic + "-group", topic);

			List<Event> events = probe.events();
			assertThat(successesByRecord(events)).hasSize(records)
				.allSatisfy((record, count) -> assertThat(count).as(record).isEqualTo(1));
			assertThat(overlapsWithinPartition(events)).as("records started while their partition had one in flight")
				.isEmpty();
			// offsets start in order per partition (a retry repeats its offset)
			Map<Integer, List<Long>> offsets = new TreeMap<>();
			events.stream()
				.filter((event) -> event.kind == Kind.START)
				.forEach((event) -> offsets.computeIfAbsent(event.partition, (p) -> new ArrayList<>())
					.add(event.offset));
			offsets.forEach((partition, started) -> assertThat(started).as("offsets started in partition %s", partition)
				.isSorted());
			Event firstFailure = events.stream()
				.filter((event) -> event.kind == Kind.FAILURE)
				.findFirst()
				.orElseThrow();
			Event success = events.stream()
				.filter((event) -> event.kind == Kind.SUCCESS && event.record().equals(firstFailure.record()))
				.findFirst()
				.orElseThrow();
			List<Event> window = events.subList(events.indexOf(firstFailure), events.indexOf(success));
			assertThat(window)
				.filteredOn((event) -> event.kind == Kind.START && event.partition == firstFailure.partition
						&& !event.record().equals(firstFailure.record()))
				.as("other records of the failing partition started while it was retried")
				.isEmpty();
			assertThat(window)
				.filteredOn((event) -> event.kind == Kind.START && event.partition != firstFailure.partition)
				.as("records of the other partition started while it was retried")
				.isNotEmpty();
			assertThat(attemptsByKeyAndSeq(events)).containsEntry("key-3/0", 4L);
		}
	}

	/**
	 * Scenario 3: an error handler built with a {@link LoopBackOffHandler} whose
	 * {@code handleOne} throws once. The record must be delivered again (as logged), its
	 * key must resume in order after it succeeds, and the starter must not claim the
	 * handler lacks a {@code LoopBackOffHandler}.
	 */
	@Test
	void anErrorHandlerThatThrowsFromHandleOneDoesNotLoseTheRecordNorItsKeyOrder(CapturedOutput output)
			throws Exception {
		int records = 100;
		String topic = "adv-handler";
		try (ConfigurableApplicationContext context = run(ThrowingHandlerApplication.class, topic)) {
			Probe probe = probe(context);
			ThrowingOnceErrorHandler handler = context.getBean(ThrowingOnceErrorHandler.class);
			probe.behavior = (attempt) -> {
				if (attempt.record.key().equals("key-3") && attempt.seq() == 0 && attempt.attempt <= 2) {
					attempt.fail("handled by a throwing handler");
				}
				else {
					attempt.succeedOnLoopLater();
				}
			};
			KafkaTestSupport.produce(broker, topic, records, 10);
			await().atMost(WAIT).until(() -> probe.successes().size() >= records);
			KafkaTestSupport.awaitCommittedToEnd(broker, topic + "-group", topic);

			List<Event> events = probe.events();
			assertThat(handler.calls).as("calls of handleOne").hasValue(2);
			assertThat(successesByRecord(events)).hasSize(records)
				.allSatisfy((record, count) -> assertThat(count).as(record).isEqualTo(1));
			assertThat(overlapsWithinLane(events)).isEmpty();
			assertInOrderPerLane(events);
			assertStartsAfterSuccess(events, "key-3", 0);
			assertThat(attemptsByKeyAndSeq(events)).containsEntry("key-3/0", 3L);
			assertThat(output).contains("failed for record").contains("delivering it again");
			assertThat(output).as("warning about a LoopBackOffHandler the handler does have")
				.doesNotContain("is not built with a LoopBackOffHandler");
		}
	}

	/**
	 * Scenario 3b: the same false warning from a realistic handler: a
	 * {@code DefaultErrorHandler} built with a {@link LoopBackOffHandler} whose recoverer
	 * (a dead-letter publisher whose broker is away, say) fails once. The record must be
	 * recovered in the end, the later records of its key only then, and the handler must
	 * not be reported as lacking a {@code LoopBackOffHandler}.
	 */
	@Test
	void aRecovererThatFailsOnceDoesNotLoseTheRecordNorItsKeyOrder(CapturedOutput output) throws Exception {
		int records = 100;
		String topic = "adv-recoverer";
		try (ConfigurableApplicationContext context = run(FailingRecovererApplication.class, topic)) {
			Probe probe = probe(context);
			FailingOnceRecoverer recoverer = context.getBean(FailingOnceRecoverer.class);
			probe.behavior = (attempt) -> {
				if (attempt.record.key().equals("key-3") && attempt.seq() == 0) {
					attempt.fail("always failing");
				}
				else {
					attempt.succeedOnLoopLater();
				}
			};
			KafkaTestSupport.produce(broker, topic, records, 10);
			await().atMost(WAIT).until(() -> probe.successes().size() >= records - 1);
			KafkaTestSupport.awaitCommittedToEnd(broker, topic + "-group", topic);

			List<Event> events = probe.events();
			assertThat(recoverer.calls).as("calls of the recoverer, the first one failing").hasValue(2);
			assertThat(successesByRecord(events)).hasSize(records - 1)
				.allSatisfy((record, count) -> assertThat(count).as(record).isEqualTo(1));
			assertThat(overlapsWithinLane(events)).isEmpty();
			assertInOrderPerLane(events);
			int recovered = recoverer.recoveredAt.get();
			assertThat(events).filteredOn((event) -> event.key.equals("key-3") && event.seq > 0)
				.allSatisfy(
						(event) -> assertThat(event.at).as("%s after the recovery", event).isGreaterThan(recovered));
			assertThat(output).as("warning about a LoopBackOffHandler the handler does have")
				.doesNotContain("is not built with a LoopBackOffHandler");
		}
	}

	/**
	 * Scenario 4 (key ordering): a second instance joins while a record of the first
	 * waits in a one-second back-off for its retry, the later records of its key waiting
	 * behind it. Nothing may be lost, no record may succeed twice across the two
	 * instances, key order must hold within each, and the revocation must not time out.
	 */
	@Test
	void aRebalanceWhileARecordWaitsForItsRetryLosesNothingAndRepeatsNothing(CapturedOutput output) throws Exception {
		int records = 400;
		int keys = 20;
		String topic = "adv-backoff";
		String[] properties = { "eventloop.kafka.retry.attempts=1000", "eventloop.kafka.retry.delay=1s", HEARTBEAT };
		ConfigurableApplicationContext first = run(topic, properties);
		ConfigurableApplicationContext second = null;
		try {
			Probe firstProbe = probe(first);
			firstProbe.behavior = backOffBehavior();
			await().atMost(WAIT).until(() -> KafkaTestSupport.assigned(first).size() == PARTITIONS);
			KafkaTestSupport.produce(broker, topic, records, keys);
			// key-3's first record has failed twice: it waits in its back-off, its key
			// behind it
			await().atMost(WAIT).until(() -> firstProbe.failures() >= 2);
			second = run(topic, properties);
			Probe secondProbe = probe(second);
			secondProbe.behavior = backOffBehavior();
			ConfigurableApplicationContext joined = second;
			await().atMost(WAIT)
				.until(() -> KafkaTestSupport.assigned(first).size() == 1
						&& KafkaTestSupport.assigned(joined).size() == 1);
			failing.set(false);
			await().atMost(WAIT).until(() -> union(firstProbe.successes(), secondProbe.successes()).size() >= records);
			KafkaTestSupport.awaitCommittedToEnd(broker, topic + "-group", topic);

			List<Event> firstEvents = firstProbe.events();
			List<Event> secondEvents = secondProbe.events();
			Map<String, Long> successes = new HashMap<>(successesByRecord(firstEvents));
			successesByRecord(secondEvents).forEach((record, count) -> successes.merge(record, count, Long::sum));
			assertThat(successes).hasSize(records)
				.allSatisfy((record, count) -> assertThat(count).as("successes of %s", record).isEqualTo(1));
			for (List<Event> events : List.of(firstEvents, secondEvents)) {
				assertThat(overlapsWithinLane(events)).isEmpty();
				assertInOrderPerLane(events);
			}
			assertThat(output).doesNotContain("records still in flight on event loops");
		}
		finally {
			if (second != null) {
				second.close();
			}
			first.close();
		}
	}

	/**
	 * Scenario 4b (key ordering): as scenario 4, but the retry's back-off (30 s) is
	 * longer than the revocation timeout (2 s). The record is not running: it waits on
	 * its loop's timer, and its next attempt has not started. Nothing may be lost or
	 * repeated; and the revocation should give the waiting record up at once (as it does
	 * records waiting for their key) rather than hold the consumer thread and the group's
	 * rebalance for the whole revocation timeout and then report the record as still in
	 * flight.
	 */
	@Test
	void aRebalanceDoesNotWaitOutTheRevocationTimeoutForARecordThatOnlyWaitsForItsRetry(CapturedOutput output)
			throws Exception {
		int records = 100;
		int keys = 10;
		String topic = "adv-backoff-long";
		String[] properties = { "eventloop.kafka.retry.attempts=1000", "eventloop.kafka.retry.delay=30s",
				"eventloop.kafka.revocation-timeout=2s", HEARTBEAT };
		ConfigurableApplicationContext first = run(topic, properties);
		ConfigurableApplicationContext second = null;
		try {
			Probe firstProbe = probe(first);
			firstProbe.behavior = backOffBehavior();
			await().atMost(WAIT).until(() -> KafkaTestSupport.assigned(first).size() == PARTITIONS);
			KafkaTestSupport.produce(broker, topic, records, keys);
			// key-3's first record has failed and waits 30 s for its retry; every record
			// of the other keys has completed
			await().atMost(WAIT)
				.until(() -> firstProbe.failures() == 1 && firstProbe.successes().size() == records - records / keys);
			// the next attempt, wherever it runs, succeeds; the waiting one is 30 s away
			failing.set(false);
			long joining = System.nanoTime();
			second = run(topic, properties);
			Probe secondProbe = probe(second);
			secondProbe.behavior = backOffBehavior();
			ConfigurableApplicationContext joined = second;
			await().atMost(WAIT)
				.until(() -> KafkaTestSupport.assigned(first).size() == 1
						&& KafkaTestSupport.assigned(joined).size() == 1);
			Duration rebalance = Duration.ofNanos(System.nanoTime() - joining);
			await().atMost(WAIT).until(() -> union(firstProbe.successes(), secondProbe.successes()).size() >= records);
			KafkaTestSupport.awaitCommittedToEnd(broker, topic + "-group", topic);

			List<Event> firstEvents = firstProbe.events();
			List<Event> secondEvents = secondProbe.events();
			Map<String, Long> successes = new HashMap<>(successesByRecord(firstEvents));
			successesByRecord(secondEvents).forEach((record, count) -> successes.merge(record, count, Long::sum));
			assertThat(successes).hasSize(records)
				.allSatisfy((record, count) -> assertThat(count).as("successes of %s", record).isEqualTo(1));
			for (List<Event> events : List.of(firstEvents, secondEvents)) {
				assertThat(overlapsWithinLane(events)).isEmpty();
				assertInOrderPerLane(events);
			}
			assertThat(output)
				.as("the revocation waited for a record that only waited for its retry (rebalance took %s)", rebalance)
				.doesNotContain("records still in flight on event loops");
		}
		finally {
			if (second != null) {
				second.close();
			}
			first.close();
		}
	}

	/**
	 * Scenario 5 (key ordering): {@code max-in-flight=1} with a hundred keys, one record
	 * failing twice: no deadlock, one record at a time, everything completes in order.
	 */
	@Test
	void maxInFlightOfOneWithManyKeysNeitherDeadlocksNorOverlaps() throws Exception {
		int records = 300;
		String topic = "adv-one";
		try (ConfigurableApplicationContext context = run(topic, "eventloop.kafka.max-in-flight=1",
				"eventloop.kafka.retry.delay=10ms")) {
			Probe probe = probe(context);
			probe.behavior = (attempt) -> {
				if (attempt.record.key().equals("key-42") && attempt.seq() == 1 && attempt.attempt <= 2) {
					attempt.onForeignThread(1, () -> attempt.fail("one at a time"));
				}
				else if (attempt.record.offset() % 3 == 0) {
					attempt.succeed();
				}
				else {
					attempt.succeedOnLoopLater();
				}
			};
			KafkaTestSupport.produce(broker, topic, records, 100);
			await().atMost(WAIT).until(() -> probe.successes().size() >= records);
			KafkaTestSupport.awaitCommittedToEnd(broker, topic + "-group", topic);

			List<Event> events = probe.events();
			assertThat(successesByRecord(events)).hasSize(records)
				.allSatisfy((record, count) -> assertThat(count).as(record).isEqualTo(1));
			assertThat(maxInFlight(events)).as("records in flight at once").isEqualTo(1);
			assertInOrderPerLane(events);
			assertThat(attemptsByKeyAndSeq(events)).containsEntry("key-42/1", 3L);
		}
	}

	/**
	 * Scenario 6 (key ordering): {@code high-water-mark=1}, a loop queue of two, and a
	 * listener that fills its loop's queue with other work on every record, so that the
	 * loop refuses records: they must be offered again, none lost, none reordered.
	 */
	@Test
	void highWaterMarkOfOneAndALoopQueueFullOfOtherWorkLoseAndReorderNothing() throws Exception {
		int records = 600;
		String topic = "adv-hwm";
		try (ConfigurableApplicationContext context = run(topic, "eventloop.kafka.high-water-mark=1",
				"eventloop.loops.workers.queue-capacity=2")) {
			Probe probe = probe(context);
			AtomicInteger refused = new AtomicInteger();
			probe.behavior = (attempt) -> {
				// other work on the loop, as much as its queue takes
				for (int i = 0; i < 3; i++) {
					try {
						attempt.loop.execute(() -> KafkaTestSupport.work(50));
					}
					catch (RejectedExecutionException ex) {
						refused.incrementAndGet();
					}
				}
				switch ((int) (attempt.record.offset() % 3)) {
					case 0 -> attempt.succeed();
					case 1 -> attempt.onForeignThread(0, attempt::succeed);
					default -> attempt.succeedOnLoopLater();
				}
			};
			KafkaTestSupport.produce(broker, topic, records, 40);
			await().atMost(WAIT).until(() -> probe.successes().size() >= records);
			KafkaTestSupport.awaitCommittedToEnd(broker, topic + "-group", topic);

			List<Event> events = probe.events();
			assertThat(refused).as("other work the full loop queue refused").hasPositiveValue();
			assertThat(successesByRecord(events)).hasSize(records)
				.allSatisfy((record, count) -> assertThat(count).as(record).isEqualTo(1));
			assertThat(overlapsWithinLane(events)).isEmpty();
			assertInOrderPerLane(events);
		}
	}

	/**
	 * Scenario 7 (key ordering): the first instance stops with a record in the middle of
	 * its partition stuck (the later records of its key waiting behind it); new records
	 * arrive for the next instance. The next instance must run the stuck record, the
	 * records of its key behind it and the new records, each once, and nothing else.
	 */
	@Test
	void aTakeoverWithNewRecordsRunsOnlyTheUnfinishedAndTheNewOnes() throws Exception {
		int records = 300;
		int keys = 100;
		String topic = "adv-takeover";
		try (ConfigurableApplicationContext first = run(topic, "eventloop.kafka.revocation-timeout=500ms")) {
			Probe probe = probe(first);
			probe.behavior = (attempt) -> {
				if (attempt.record.key().equals("key-50") && attempt.seq() == 1) {
					return; // never completes
				}
				attempt.succeedOnLoopLater();
			};
			KafkaTestSupport.produce(broker, topic, records, keys);
			await().atMost(WAIT).until(() -> probe.successes().size() >= records - 2);
		}
		try (ConfigurableApplicationContext next = run(topic)) {
			Probe probe = probe(next);
			probe.behavior = Attempt::succeedOnLoopLater;
			KafkaTestSupport.produce(broker, topic, records, records + keys, keys);
			await().atMost(WAIT).until(() -> probe.successes().size() >= keys + 2);
			KafkaTestSupport.awaitCommittedToEnd(broker, topic + "-group", topic);

			List<Event> events = probe.events();
			Set<String> expected = new HashSet<>(Set.of("key-50/1", "key-50/2"));
			for (int key = 0; key < keys; key++) {
				expected.add("key-" + key + "/3");
			}
			assertThat(attemptsByKeyAndSeq(events)).as("records the next instance ran")
				.containsOnlyKeys(expected)
				.allSatisfy((record, count) -> assertThat(count).as(record).isEqualTo(1));
			assertThat(successesByRecord(events)).hasSize(expected.size());
			assertInOrderPerLane(events);
		}
	}

	/**
	 * Scenario 8 (key ordering): a partition taken from and given back to the same
	 * instance three times, the first time with a record stuck (its revocation times
	 * out). The stuck record must run again once, the records of its key behind it once,
	 * and nothing else again; the group is committed to the end each time.
	 */
	@Test
	void aPartitionGivenBackToTheSameInstanceThreeTimesRunsOnlyTheUnfinishedAgain(CapturedOutput output)
			throws Exception {
		int records = 100;
		String topic = "adv-reassign";
		String group = topic + "-group";
		try (ConfigurableApplicationContext context = run(topic, "eventloop.kafka.revocation-timeout=500ms",
				HEARTBEAT)) {
			Probe probe = probe(context);
			probe.behavior = (attempt) -> {
				if (attempt.record.key().equals("key-3") && attempt.seq() == 1 && attempt.attempt == 1) {
					return; // its first delivery never completes
				}
				attempt.succeedOnLoopLater();
			};
			KafkaTestSupport.produce(broker, topic, records, 20);
			// all but key-3's second record and the three behind it
			await().atMost(WAIT).until(() -> probe.successes().size() >= records - 4);
			for (int round = 0; round < 3; round++) {
				try (KafkaConsumer<String, String> other = otherMember(group)) {
					other.subscribe(List.of("adv-other"));
					await().atMost(WAIT).pollInSameThread().until(() -> {
						other.poll(Duration.ofMillis(100));
						return !other.assignment().isEmpty();
					});
				}
				awaitStableWithOneMember(group);
				KafkaTestSupport.awaitCommittedToEnd(broker, group, topic);
			}
			List<Event> events = probe.events();
			assertThat(successesByRecord(events)).hasSize(records)
				.allSatisfy((record, count) -> assertThat(count).as(record).isEqualTo(1));
			Map<String, Long> attempts = attemptsByKeyAndSeq(events);
			assertThat(attempts).hasSize(records);
			assertThat(attempts).allSatisfy((record, count) -> assertThat(count).as("attempts of %s", record)
				.isEqualTo(record.equals("key-3/1") ? 2L : 1L));
			assertInOrderPerLane(events);
			assertThat(output).contains("records still in flight on event loops");
		}
	}

	// ---- checks on the event log

	private static Map<String, Long> successesByRecord(List<Event> events) {
		return events.stream()
			.filter((event) -> event.kind == Kind.SUCCESS)
			.collect(Collectors.groupingBy(Event::record, Collectors.counting()));
	}

	private static Map<String, Long> attemptsByKeyAndSeq(List<Event> events) {
		return events.stream()
			.filter((event) -> event.kind == Kind.START)
			.collect(Collectors.groupingBy((event) -> event.key + "/" + event.seq, Collectors.counting()));
	}

	/**
	 * Records started while a record of their lane (key within partition) was in flight.
	 */
	private static List<Event> overlapsWithinLane(List<Event> events) {
		return overlaps(events, (event) -> event.partition + ":" + event.key);
	}

	private static List<Event> overlapsWithinPartition(List<Event> events) {
		return overlaps(events, (event) -> String.valueOf(event.partition));
	}

	private static List<Event> overlaps(List<Event> events, Function<Event, String> lane) {
		Map<String, Integer> inFlight = new HashMap<>();
		List<Event> overlapping = new ArrayList<>();
		for (Event event : events) {
			String key = lane.apply(event);
			if (event.kind == Kind.START) {
				if (inFlight.merge(key, 1, Integer::sum) > 1) {
					overlapping.add(event);
				}
			}
			else {
				inFlight.merge(key, -1, Integer::sum);
			}
		}
		return overlapping;
	}

	private static int maxInFlight(List<Event> events) {
		int inFlight = 0;
		int max = 0;
		for (Event event : events) {
			inFlight += (event.kind == Kind.START) ? 1 : -1;
			max = Math.max(max, inFlight);
		}
		return max;
	}

	/**
	 * Per key within partition, records start in sequence order (a retry repeats its
	 * sequence number) and succeed in sequence order.
	 */
	private static void assertInOrderPerLane(List<Event> events) {
		Map<String, List<Integer>> starts = new HashMap<>();
		Map<String, List<Integer>> successes = new HashMap<>();
		for (Event event : events) {
			String lane = event.partition + ":" + event.key;
			if (event.kind == Kind.START) {
				starts.computeIfAbsent(lane, (k) -> new ArrayList<>()).add(event.seq);
			}
			else if (event.kind == Kind.SUCCESS) {
				successes.computeIfAbsent(lane, (k) -> new ArrayList<>()).add(event.seq);
			}
		}
		starts.forEach((lane, seqs) -> assertThat(seqs).as("sequence numbers started in %s", lane).isSorted());
		successes.forEach((lane, seqs) -> assertThat(seqs).as("sequence numbers succeeded in %s", lane)
			.isSorted()
			.doesNotHaveDuplicates());
	}

	/**
	 * No record of the key after {@code seq} starts before the record {@code seq} of the
	 * key has succeeded.
	 */
	private static void assertStartsAfterSuccess(List<Event> events, String key, int seq) {
		int success = -1;
		for (int i = 0; i < events.size(); i++) {
			Event event = events.get(i);
			if (event.key.equals(key) && event.seq == seq && event.kind == Kind.SUCCESS) {
				success = i;
			}
		}
		assertThat(success).as("success of %s/%s", key, seq).isNotNegative();
		for (int i = 0; i < success; i++) {
			Event event = events.get(i);
			assertThat(event.key.equals(key) && event.kind == Kind.START && event.seq > seq)
				.as("%s started before %s/%s succeeded", event, key, seq)
				.isFalse();
		}
	}

	private static Map<String, Set<String>> threadsByKey(List<Event> events) {
		Map<String, Set<String>> threads = new HashMap<>();
		events.stream()
			.filter((event) -> event.kind == Kind.START)
			.forEach((event) -> threads.computeIfAbsent(event.key, (k) -> new LinkedHashSet<>()).add(event.thread));
		return threads;
	}

	private static Set<String> union(Set<String> first, Set<String> second) {
		Set<String> union = new HashSet<>(first);
		union.addAll(second);
		return union;
	}

	// ---- helpers

	/**
	 * The first record of key-3 fails on its loop while {@link #failing} is set; every
	 * other record succeeds a few milliseconds later.
	 */
	private static Behavior backOffBehavior() {
		return (attempt) -> {
			if (attempt.record.key().equals("key-3") && attempt.seq() == 0 && failing.get()) {
				attempt.fail("failing until the test says otherwise");
			}
			else {
				attempt.succeedOnLoopLater();
			}
		};
	}

	/**
	 * Send {@code count} records of keys {@code <prefix>-0..3}, each key alternately to
	 * partition 0 and 1, the value its sequence number within key and partition.
	 */
	private static int produceSpread(String topic, String prefix, int count) {
		Map<String, Object> properties = new HashMap<>(KafkaTestUtils.producerProps(broker));
		properties.put("key.serializer", StringSerializer.class);
		properties.put("value.serializer", StringSerializer.class);
		Map<String, AtomicInteger> sequences = new HashMap<>();
		try (KafkaProducer<String, String> producer = new KafkaProducer<>(properties)) {
			for (int i = 0; i < count; i++) {
				String key = prefix + "-" + (i % 4);
				int partition = (i / 4) % PARTITIONS;
				int seq = sequences.computeIfAbsent(partition + ":" + key, (k) -> new AtomicInteger())
					.getAndIncrement();
				producer.send(new ProducerRecord<>(topic, partition, key, Integer.toString(seq)));
			}
			producer.flush();
		}
		return count;
	}

	/**
	 * Wait until the group has settled with the instance as its only member, owning every
	 * partition again.
	 */
	private static void awaitStableWithOneMember(String group) {
		try (AdminClient admin = AdminClient.create(Map.of("bootstrap.servers", broker.getBrokersAsString()))) {
			await().atMost(WAIT).until(() -> {
				ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group))
					.describedGroups()
					.get(group)
					.get(WAIT.toSeconds(), TimeUnit.SECONDS);
				return description.groupState() == GroupState.STABLE && description.members().size() == 1
						&& description.members().iterator().next().assignment().topicPartitions().size() == PARTITIONS;
			});
		}
	}

	private static KafkaConsumer<String, String> otherMember(String group) {
		Map<String, Object> properties = new HashMap<>(KafkaTestUtils.consumerProps(broker, group, false));
		properties.put("key.deserializer", StringDeserializer.class);
		properties.put("value.deserializer", StringDeserializer.class);
		properties.put("heartbeat.interval.ms", 200);
		return new KafkaConsumer<>(properties);
	}

	private static Probe probe(ConfigurableApplicationContext context) {
		return AopTestUtils.getUltimateTargetObject(context.getBean(Probe.class));
	}

	private static ConfigurableApplicationContext run(String topic, String... properties) {
		return run(ProbeApplication.class, topic, properties);
	}

	private static ConfigurableApplicationContext run(Class<?> application, String topic, String... properties) {
		return KafkaTestSupport.run(broker, application, topic, properties);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class ProbeApplication {

		@Bean
		Probe probe() {
			return new Probe();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@Import(ProbeApplication.class)
	static class ThrowingHandlerApplication {

		@Bean
		ThrowingOnceErrorHandler errorHandler() {
			return new ThrowingOnceErrorHandler();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@Import(ProbeApplication.class)
	static class FailingRecovererApplication {

		@Bean
		FailingOnceRecoverer recoverer(Probe probe) {
			return new FailingOnceRecoverer(AopTestUtils.getUltimateTargetObject(probe));
		}

		@Bean
		DefaultErrorHandler errorHandler(FailingOnceRecoverer recoverer) {
			return new DefaultErrorHandler(recoverer, new FixedBackOff(10, 1), new LoopBackOffHandler());
		}

	}

	/**
	 * Fails the first time it is asked to recover a record; notes, on the probe's clock,
	 * when it recovered one.
	 */
	static class FailingOnceRecoverer implements ConsumerRecordRecoverer {

		final AtomicInteger calls = new AtomicInteger();

		final AtomicInteger recoveredAt = new AtomicInteger(-1);

		private final Probe probe;

		FailingOnceRecoverer(Probe probe) {
			this.probe = probe;
		}

		@Override
		public void accept(ConsumerRecord<?, ?> record, Exception exception) {
			if (this.calls.incrementAndGet() == 1) {
				throw new IllegalStateException("dead-letter topic unreachable");
			}
			this.recoveredAt.set((int) this.probe.tick());
		}

	}

	/**
	 * A {@code DefaultErrorHandler} built with a {@link LoopBackOffHandler} whose
	 * {@code handleOne} throws the first time it is called.
	 */
	static class ThrowingOnceErrorHandler extends DefaultErrorHandler {

		final AtomicInteger calls = new AtomicInteger();

		ThrowingOnceErrorHandler() {
			super(null, new FixedBackOff(10, 5), new LoopBackOffHandler());
		}

		@Override
		public boolean handleOne(Exception thrownException, ConsumerRecord<?, ?> record, Consumer<?, ?> consumer,
				MessageListenerContainer container) {
			if (this.calls.incrementAndGet() == 1) {
				throw new IllegalStateException("handler failure");
			}
			return super.handleOne(thrownException, record, consumer, container);
		}

	}

	enum Kind {

		START, SUCCESS, FAILURE

	}

	record Event(long at, int partition, long offset, String key, int seq, int attempt, Kind kind, String thread) {

		String record() {
			return this.partition + "@" + this.offset;
		}

	}

	/**
	 * What the listener does with one attempt of a record.
	 */
	@FunctionalInterface
	interface Behavior {

		void apply(Attempt attempt) throws Exception;

	}

	/**
	 * One attempt of a record: ends its future one way or another, logging the end first
	 * (so that the log never shows a record of a key starting before the end of the
	 * previous one, unless it did).
	 */
	static final class Attempt {

		final Probe probe;

		final ConsumerRecord<String, String> record;

		final int attempt;

		final EventLoop loop;

		final CompletableFuture<Void> future = new CompletableFuture<>();

		Attempt(Probe probe, ConsumerRecord<String, String> record, int attempt, EventLoop loop) {
			this.probe = probe;
			this.record = record;
			this.attempt = attempt;
			this.loop = loop;
		}

		int seq() {
			return Integer.parseInt(this.record.value());
		}

		void succeed() {
			this.probe.event(this, Kind.SUCCESS);
			this.future.complete(null);
		}

		void fail(String why) {
			this.probe.event(this, Kind.FAILURE);
			this.future.completeExceptionally(new IllegalStateException(why + " " + this.record.key()));
		}

		void cancel() {
			this.probe.event(this, Kind.FAILURE);
			this.future.cancel(false);
		}

		RuntimeException thrown(String why) {
			this.probe.event(this, Kind.FAILURE);
			return new IllegalStateException(why + " " + this.record.key());
		}

		void succeedOnLoopLater() {
			long micros = ThreadLocalRandom.current().nextLong(200, 2_000);
			this.loop.schedule(this::succeed, Duration.ofNanos(TimeUnit.MICROSECONDS.toNanos(micros)));
		}

		void onForeignThread(long millis, Runnable action) {
			foreign.schedule(action, millis, TimeUnit.MILLISECONDS);
		}

	}

	/**
	 * The listener: logs each attempt's start and end in one event log and lets the
	 * test's {@link Behavior} decide how the attempt ends.
	 */
	public static class Probe {

		private final AtomicLong clock = new AtomicLong();

		private final List<Event> events = new ArrayList<>();

		private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();

		volatile Behavior behavior = Attempt::succeed;

		@KafkaListener(topics = "${test.topic}", groupId = "${test.group}")
		@OnEventLoop(value = "workers", key = "#record.key()")
		public CompletableFuture<Void> handle(ConsumerRecord<String, String> record) throws Exception {
			int attempt = this.attempts
				.computeIfAbsent(KafkaRecordDispatcher.describe(record), (described) -> new AtomicInteger())
				.incrementAndGet();
			Attempt current = new Attempt(this, record, attempt, EventLoop.current().orElseThrow());
			event(current, Kind.START);
			this.behavior.apply(current);
			return current.future;
		}

		synchronized void event(Attempt attempt, Kind kind) {
			this.events.add(new Event(this.clock.incrementAndGet(), attempt.record.partition(), attempt.record.offset(),
					attempt.record.key(), attempt.seq(), attempt.attempt, kind, Thread.currentThread().getName()));
		}

		long tick() {
			return this.clock.incrementAndGet();
		}

		synchronized List<Event> events() {
			return new ArrayList<>(this.events);
		}

		synchronized Set<String> successes() {
			return this.events.stream()
				.filter((event) -> event.kind == Kind.SUCCESS)
				.map(Event::record)
				.collect(Collectors.toSet());
		}

		synchronized long failures() {
			return this.events.stream().filter((event) -> event.kind == Kind.FAILURE).count();
		}

	}

}
