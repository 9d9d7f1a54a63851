package dev.eventloop.spring.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import dev.eventloop.EventLoop;
import dev.eventloop.spring.OnEventLoop;
import dev.eventloop.test.ManualTicker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.event.SimpleApplicationEventMulticaster;
import org.springframework.context.support.AbstractApplicationContext;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.ConsumerAwareRecordRecoverer;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.test.util.AopTestUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Asynchronous listeners, the kind most Kafka work is: a
 * {@code @KafkaListener @OnEventLoop(key = ...)} method returning a future that completes
 * a few milliseconds later on its loop, against a real broker. Under key ordering no
 * record starts before the previous record of its key has completed; a failing record
 * holds only its key through its retries and recovery; a takeover runs only what had not
 * completed; the partition and unordered modes keep their own promises.
 */
@ExtendWith(OutputCaptureExtension.class)
class KafkaKeyOrderingTests {

	private static final int PARTITIONS = 2;

	private static final Duration WAIT = KafkaTestSupport.TIMEOUT;

	private static EmbeddedKafkaBroker broker;

	@BeforeAll
	static void startBroker() {
		broker = new EmbeddedKafkaKraftBroker(1, PARTITIONS, "async-key", "async-partition", "async-unordered",
				"async-retry", "async-recover", "async-takeover", "async-overflow", "async-events", "async-progress",
				"async-backoff");
		broker.afterPropertiesSet();
	}

	@AfterAll
	static void stopBroker() {
		broker.destroy();
	}

	@Test
	void asynchronousRecordsOfAKeyNeverOverlapAndRunInOffsetOrderWhileHundredsOfKeysAreInFlight() throws Exception {
		int records = 4_000;
		int keys = 500;
		try (ConfigurableApplicationContext context = run(AsyncApplication.class, "async-key")) {
			AsyncListener listener = listener(context);
			KafkaTestSupport.produce(broker, "async-key", records, keys);
			await().atMost(WAIT).until(() -> listener.deliveries.count.get() >= records);
			KafkaTestSupport.awaitCommittedToEnd(broker, "async-key-group", "async-key");

			assertThat(listener.overlapsWithinKey).as("records started while their key had one in flight").hasValue(0);
			assertThat(listener.deliveries.count).hasValue(records);
			assertThat(listener.deliveries.redelivered()).isZero();
			KafkaTestSupport.assertInOrderPerKey(listener.deliveries);
			// two loop threads, and the keys waiting on timers rather than on threads
			assertThat(listener.maxKeysInFlight).as("keys in flight at once").hasValueGreaterThanOrEqualTo(200);
		}
	}

	@Test
	void partitionOrderingSetOnTheListenerRunsOneRecordPerPartitionAtATimeInOffsetOrder() throws Exception {
		int records = 600;
		try (ConfigurableApplicationContext context = run(PartitionOrderedApplication.class, "async-partition")) {
			AsyncListener listener = listener(context);
			KafkaTestSupport.produce(broker, "async-partition", records, 50);
			await().atMost(WAIT).until(() -> listener.deliveries.count.get() >= records);
			KafkaTestSupport.awaitCommittedToEnd(broker, "async-partition-group", "async-partition");

			assertThat(listener.overlapsWithinPartition).as("records started while their partition had one in flight")
				.hasValue(0);
			listener.startedOffsets.forEach((partition,
					offsets) -> assertThat(offsets).as("offsets of %s", partition).isSorted().doesNotHaveDuplicates());
			assertThat(listener.maxInFlight).as("the two partitions run side by side").hasValue(PARTITIONS);
		}
	}

	@Test
	void unorderedRecordsOverlapWithinAKeyUpToMaxInFlightAndNoFurther() throws Exception {
		int records = 2_000;
		try (ConfigurableApplicationContext context = run(AsyncApplication.class, "async-unordered",
				"eventloop.kafka.ordering=unordered", "eventloop.kafka.max-in-flight=50")) {
			AsyncListener listener = listener(context);
			KafkaTestSupport.produce(broker, "async-unordered", records, 10);
			await().atMost(WAIT).until(() -> listener.deliveries.count.get() >= records);
			KafkaTestSupport.awaitCommittedToEnd(broker, "async-unordered-group", "async-unordered");

			assertThat(listener.deliveries.count).hasValue(records);
			assertThat(listener.maxInFlight).hasValueLessThanOrEqualTo(50).hasValueGreaterThan(10);
			assertThat(listener.overlapsWithinKey).as("no key order is kept").hasPositiveValue();
		}
	}

	@Test
	void aFailingRecordHoldsOnlyItsKeyThroughItsRetriesAndItsKeyResumesInOrder() throws Exception {
		int records = 400;
		int keys = 20;
		try (ConfigurableApplicationContext context = run(AsyncApplication.class, "async-retry", "test.fail-key=key-7",
				"eventloop.kafka.retry.attempts=10000", "eventloop.kafka.retry.delay=5ms")) {
			AsyncListener listener = listener(context);
			KafkaTestSupport.produce(broker, "async-retry", records, keys);
			int ofOtherKeys = records - records / keys;
			// every other key flows to its end while key-7's first record keeps failing
			await().atMost(WAIT).until(() -> listener.deliveries.count.get() >= ofOtherKeys);
			await().atMost(WAIT).until(() -> listener.failures.get() >= 3);
			assertThat(listener.deliveries.sequencesByKey).doesNotContainKey("key-7");
			assertThat(listener.firstStarts.keySet()).filteredOn((started) -> started.startsWith("key-7/"))
				.as("key-7 attempted nothing but its first record")
				.containsExactly("key-7/0");

			listener.failing.set(false);
			await().atMost(WAIT).until(() -> listener.deliveries.count.get() >= records);
			KafkaTestSupport.awaitCommittedToEnd(broker, "async-retry-group", "async-retry");
			assertThat(listener.deliveries.sequencesByKey.get("key-7"))
				.containsExactlyElementsOf(IntStream.range(0, records / keys).boxed().toList());
			assertThat(listener.overlapsWithinKey).hasValue(0);
			assertThat(listener.deliveries.redelivered()).isZero();
		}
	}

	@Test
	void aRetryDelayOfAnHourWaitsOnTheLoopTimerAndFollowsTheLoopsTicker() throws Exception {
		int records = 100;
		int keys = 10;
		try (ConfigurableApplicationContext context = run(HandMovedTimeApplication.class, "async-backoff",
				"test.fail-key=key-7", "test.instant=true", "eventloop.kafka.retry.attempts=2",
				"eventloop.kafka.retry.delay=1h")) {
			AsyncListener listener = listener(context);
			ManualTicker ticker = context.getBean(ManualTicker.class);
			KafkaTestSupport.produce(broker, "async-backoff", records, keys);
			await().atMost(WAIT).until(() -> listener.deliveries.count.get() >= records - records / keys);
			await().atMost(WAIT).until(() -> listener.failures.get() == 1);
			// the next attempt succeeds, once the hour of back-off has passed on the loop
			listener.failing.set(false);
			ticker.advance(Duration.ofMinutes(59));
			assertThat(listener.attemptsOfKey("key-7")).as("no retry before the hour is up").isEqualTo(1);
			assertThat(listener.deliveries.sequencesByKey).doesNotContainKey("key-7");
			ticker.advance(Duration.ofMinutes(1));
			await().atMost(WAIT).until(() -> listener.deliveries.count.get() >= records);
			KafkaTestSupport.awaitCommittedToEnd(broker, "async-backoff-group", "async-backoff");
			assertThat(listener.attemptsOfKey("key-7")).isEqualTo(records / keys + 1);
			KafkaTestSupport.assertInOrderPerKey(listener.deliveries);
		}
	}

	@Test
	void recordsThatExhaustTheirRetriesOrWhoseKeyCannotBeReadReachTheRecovererWithTheConsumer() throws Exception {
		int records = 200;
		int keys = 10;
		try (ConfigurableApplicationContext context = run(RecoveringApplication.class, "async-recover",
				"test.fail-key=key-3", "eventloop.kafka.retry.attempts=3", "eventloop.kafka.retry.delay=1ms")) {
			AsyncListener listener = listener(context);
			Recoverer recoverer = context.getBean(Recoverer.class);
			KafkaTestSupport.produce(broker, "async-recover", records, keys);
			// a record without a key: its key expression fails
			KafkaTestSupport.produce(broker, "async-recover", null, "keyless");
			await().atMost(WAIT).until(() -> recoverer.recovered.size() == 2);
			await().atMost(WAIT).until(() -> listener.deliveries.count.get() >= records - 1);
			KafkaTestSupport.awaitCommittedToEnd(broker, "async-recover-group", "async-recover");

			assertThat(recoverer.recovered).extracting(Recovered::value).containsExactlyInAnyOrder("0", "keyless");
			assertThat(recoverer.recovered).allSatisfy((recovered) -> assertThat(recovered.withConsumer()).isTrue());
			// one delivery and two retries, then recovery; only then the rest of its key
			assertThat(listener.attemptsOfKey("key-3")).isEqualTo(3 + records / keys - 1);
			long recoveredAt = recoverer.recovered.stream()
				.filter((recovered) -> recovered.value().equals("0"))
				.findFirst()
				.orElseThrow()
				.at();
			assertThat(listener.firstStartOfValue("key-3", "1")).isGreaterThan(recoveredAt);
			KafkaTestSupport.assertInOrderPerKey(listener.deliveries);
			assertThat(listener.overlapsWithinKey).hasValue(0);
		}
	}

	@Test
	void aTakeoverRunsExactlyTheRecordsThatHadNotCompleted() throws Exception {
		int records = 1_000;
		String topic = "async-takeover";
		ConsumerRecord<?, ?> stuck;
		try (ConfigurableApplicationContext first = run(AsyncApplication.class, topic, "test.stick-key=key-500",
				"eventloop.kafka.revocation-timeout=500ms")) {
			AsyncListener listener = listener(first);
			KafkaTestSupport.produce(broker, topic, records, records);
			await().atMost(WAIT).until(() -> listener.deliveries.count.get() >= records - 1);
			stuck = listener.stuck.get(WAIT.toSeconds(), TimeUnit.SECONDS);
		}
		Map<TopicPartition, Long> committed = KafkaTestSupport.committed(broker, topic + "-group");
		assertThat(committed.get(new TopicPartition(topic, stuck.partition()))).isEqualTo(stuck.offset());

		try (ConfigurableApplicationContext next = run(AsyncApplication.class, topic)) {
			AsyncListener listener = listener(next);
			KafkaTestSupport.awaitCommittedToEnd(broker, topic + "-group", topic);
			assertThat(listener.attempts.keySet()).containsExactly(KafkaRecordDispatcher.describe(stuck));
			assertThat(listener.deliveries.count).hasValue(1);
		}
	}

	@Test
	void completedOffsetsThatDoNotFitIntoTheCommitMetadataAreCountedLoggedOnceAndLoseNothing(CapturedOutput output)
			throws Exception {
		int records = 10_000;
		try (ConfigurableApplicationContext context = run(AsyncApplication.class, "async-overflow",
				"test.hold-every-other=true", "eventloop.kafka.ordering=unordered",
				"eventloop.kafka.max-in-flight=" + records)) {
			AsyncListener listener = listener(context);
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			KafkaTestSupport.produce(broker, "async-overflow", records, 100);
			// every other record of each partition is held open: thousands of gaps
			await().atMost(WAIT).until(() -> listener.deliveries.count.get() >= records / 2);
			await().atMost(WAIT)
				.until(() -> meters.get("eventloop.kafka.commit.metadata.overflows").functionCounter().count() > 0);
			listener.release.complete(null);
			await().atMost(WAIT).until(() -> listener.deliveries.count.get() >= records);
			KafkaTestSupport.awaitCommittedToEnd(broker, "async-overflow-group", "async-overflow");
			assertThat(listener.deliveries.redelivered()).isZero();
			assertThat(output.toString().split("do not fit into the commit's metadata", -1).length - 1)
				.as("warnings, one per partition")
				.isBetween(1, PARTITIONS);
		}
	}

	@Test
	void aStuckRecordShowsInTheMetersAndTheEndpointAndIsReportedOnce(CapturedOutput output) throws Exception {
		int records = 200;
		int keys = 10;
		String topic = "async-progress";
		try (ConfigurableApplicationContext context = run(AsyncApplication.class, topic, "test.stick-key=key-3",
				"eventloop.kafka.slow-record-threshold=300ms", "eventloop.kafka.revocation-timeout=200ms",
				"management.endpoints.web.exposure.include=eventloops")) {
			AsyncListener listener = listener(context);
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			KafkaTestSupport.produce(broker, topic, records, keys);
			// every key but key-3 runs to its end; key-3's later records wait for its
			// first
			await().atMost(WAIT).until(() -> listener.deliveries.count.get() >= records - records / keys);
			ConsumerRecord<?, ?> stuck = listener.stuck.get(WAIT.toSeconds(), TimeUnit.SECONDS);
			Tags partition = Tags.of("group", topic + "-group", "topic", topic, "partition",
					String.valueOf(stuck.partition()));
			await().atMost(WAIT).until(() -> meters.get("eventloop.kafka.records.slow").functionCounter().count() == 1);
			// twice the threshold later, it is still reported once
			await().atMost(WAIT)
				.until(() -> meters.get("eventloop.kafka.partition.oldest.age").tags(partition).gauge().value() > 0.6);
			await().atMost(WAIT)
				.until(() -> meters.get("eventloop.kafka.partition.committed").tags(partition).gauge().value() == stuck
					.offset());
			assertThat(meters.get("eventloop.kafka.records.slow").functionCounter().count()).isEqualTo(1);
			assertThat(output.toString().split("has been running", -1).length - 1).isEqualTo(1);
			assertThat(output).contains("@" + stuck.offset() + " (key key-3)").contains("on event loop '" + "workers-");
			int waiting = records / keys - 1;
			assertThat(meters.get("eventloop.kafka.partition.waiting").tags(partition).gauge().value())
				.isEqualTo(waiting);
			assertThat(meters.get("eventloop.kafka.records.waiting").gauges()).extracting((gauge) -> gauge.value())
				.containsOnlyOnce((double) waiting);
			assertThat(meters.get("eventloop.kafka.partition.completed.beyond.commit").tags(partition).gauge().value())
				.isPositive();

			EventLoopsKafkaEndpointExtension endpoint = context.getBean(EventLoopsKafkaEndpointExtension.class);
			EventLoopsKafkaEndpointExtension.KafkaDescriptor kafka = endpoint.eventLoops(SecurityContext.NONE).kafka();
			assertThat(kafka.mostWaiting()).first().satisfies((key) -> {
				assertThat(key.key()).endsWith("key-3");
				assertThat(key.waiting()).isEqualTo(waiting);
			});
		}
	}

	@Test
	void anAsynchronousApplicationEventMulticasterChangesNothing() throws Exception {
		int records = 1_000;
		try (ConfigurableApplicationContext context = run(AsyncMulticasterApplication.class, "async-events")) {
			AsyncListener listener = listener(context);
			KafkaTestSupport.produce(broker, "async-events", records, 50);
			await().atMost(WAIT).until(() -> listener.deliveries.count.get() >= records);
			KafkaTestSupport.awaitCommittedToEnd(broker, "async-events-group", "async-events");
			assertThat(listener.overlapsWithinKey).hasValue(0);
			assertThat(listener.deliveries.redelivered()).isZero();
			KafkaTestSupport.assertInOrderPerKey(listener.deliveries);
		}
	}

	// the listener itself, behind the proxy that dispatches its calls, to read what it
	// saw
	private static AsyncListener listener(ConfigurableApplicationContext context) {
		return AopTestUtils.getUltimateTargetObject(context.getBean(AsyncListener.class));
	}

	private static ConfigurableApplicationContext run(Class<?> application, String topic, String... properties) {
		return KafkaTestSupport.run(broker, application, topic, properties);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class AsyncApplication {

		@Bean
		AsyncListener asyncListener() {
			return new AsyncListener();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class PartitionOrderedApplication {

		@Bean
		PartitionOrderedListener partitionOrderedListener() {
			return new PartitionOrderedListener();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@Import(AsyncApplication.class)
	static class RecoveringApplication {

		@Bean
		Recoverer recoverer() {
			return new Recoverer();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@Import(AsyncApplication.class)
	static class AsyncMulticasterApplication {

		// application events, Spring Kafka's consumer events among them, delivered on
		// other threads
		@Bean(AbstractApplicationContext.APPLICATION_EVENT_MULTICASTER_BEAN_NAME)
		SimpleApplicationEventMulticaster applicationEventMulticaster() {
			SimpleApplicationEventMulticaster multicaster = new SimpleApplicationEventMulticaster();
			multicaster.setTaskExecutor(new SimpleAsyncTaskExecutor("events-"));
			return multicaster;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@Import(AsyncApplication.class)
	static class HandMovedTimeApplication {

		@Bean
		ManualTicker ticker() {
			return new ManualTicker();
		}

	}

	record Recovered(@Nullable String value, boolean withConsumer, long at) {
	}

	/**
	 * The application's recoverer, which the auto-configured error handler calls with the
	 * record and its consumer.
	 */
	static class Recoverer implements ConsumerAwareRecordRecoverer {

		final List<Recovered> recovered = new CopyOnWriteArrayList<>();

		@Override
		public void accept(ConsumerRecord<?, ?> record, @Nullable Consumer<?, ?> consumer, Exception exception) {
			this.recovered.add(new Recovered((String) record.value(), consumer != null, AsyncListener.clock()));
		}

	}

	/**
	 * Does a few milliseconds of asynchronous work per record (a timer on its loop stands
	 * for a call to another service) and watches what overlaps.
	 */
	public static class AsyncListener {

		private static final AtomicLong clock = new AtomicLong();

		final KafkaTestSupport.Deliveries deliveries = new KafkaTestSupport.Deliveries();

		final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();

		final Map<String, AtomicInteger> attemptsByKey = new ConcurrentHashMap<>();

		final Map<String, Long> firstStarts = new ConcurrentHashMap<>();

		final Map<Object, AtomicInteger> inFlightByKey = new ConcurrentHashMap<>();

		final Map<Object, AtomicInteger> inFlightByPartition = new ConcurrentHashMap<>();

		final Map<Integer, List<Long>> startedOffsets = new ConcurrentHashMap<>();

		final Set<Object> keysInFlight = ConcurrentHashMap.newKeySet();

		final AtomicInteger inFlight = new AtomicInteger();

		final AtomicInteger maxInFlight = new AtomicInteger();

		final AtomicInteger maxKeysInFlight = new AtomicInteger();

		final AtomicInteger overlapsWithinKey = new AtomicInteger();

		final AtomicInteger overlapsWithinPartition = new AtomicInteger();

		final AtomicInteger failures = new AtomicInteger();

		final AtomicBoolean failing = new AtomicBoolean(true);

		final CompletableFuture<ConsumerRecord<?, ?>> stuck = new CompletableFuture<>();

		final CompletableFuture<Void> release = new CompletableFuture<>();

		@Value("${test.hold-every-other:false}")
		boolean holdEveryOther;

		// complete at once instead of on a loop timer (for tests that move the loops'
		// time)
		@Value("${test.instant:false}")
		boolean instant;

		@Value("${test.fail-key:}")
		String failKey;

		@Value("${test.stick-key:}")
		String stickKey;

		static long clock() {
			return clock.incrementAndGet();
		}

		@KafkaListener(topics = "${test.topic}", groupId = "${test.group}")
		@OnEventLoop(value = "workers", key = "#record.key().toString()")
		public CompletableFuture<Void> handle(ConsumerRecord<String, String> record) {
			String described = KafkaRecordDispatcher.describe(record);
			this.attempts.computeIfAbsent(described, (k) -> new AtomicInteger()).incrementAndGet();
			this.attemptsByKey.computeIfAbsent(record.key(), (k) -> new AtomicInteger()).incrementAndGet();
			this.firstStarts.putIfAbsent(record.key() + "/" + record.value(), clock());
			this.startedOffsets.computeIfAbsent(record.partition(), (k) -> new CopyOnWriteArrayList<>())
				.add(record.offset());
			started(record);
			CompletableFuture<Void> done = new CompletableFuture<>();
			if (record.key().equals(this.stickKey) && this.stuck.complete(record)) {
				// never completes: its consumer stops with it in flight
				return done;
			}
			if (this.holdEveryOther && record.offset() % 2 == 0) {
				EventLoop loop = EventLoop.current().orElseThrow();
				this.release.thenRun(() -> loop.execute(() -> {
					finished(record);
					this.deliveries.record(described, record.key(), record.value());
					done.complete(null);
				}));
				return done;
			}
			boolean fail = record.key().equals(this.failKey) && record.value().equals("0") && this.failing.get();
			long micros = ThreadLocalRandom.current().nextLong(200, 3_000);
			Runnable complete = () -> {
				finished(record);
				if (fail) {
					this.failures.incrementAndGet();
					done.completeExceptionally(new IllegalStateException("Refusing " + described));
				}
				else {
					this.deliveries.record(described, record.key(), record.value());
					done.complete(null);
				}
			};
			if (this.instant) {
				complete.run();
			}
			else {
				EventLoop.current()
					.orElseThrow()
					.schedule(complete, Duration.ofNanos(TimeUnit.MICROSECONDS.toNanos(micros)));
			}
			return done;
		}

		private void started(ConsumerRecord<String, String> record) {
			if (this.inFlightByKey.computeIfAbsent(record.key(), (k) -> new AtomicInteger()).incrementAndGet() > 1) {
				this.overlapsWithinKey.incrementAndGet();
			}
			if (this.inFlightByPartition.computeIfAbsent(record.partition(), (k) -> new AtomicInteger())
				.incrementAndGet() > 1) {
				this.overlapsWithinPartition.incrementAndGet();
			}
			this.keysInFlight.add(record.key());
			this.maxKeysInFlight.accumulateAndGet(this.keysInFlight.size(), Math::max);
			this.maxInFlight.accumulateAndGet(this.inFlight.incrementAndGet(), Math::max);
		}

		private void finished(ConsumerRecord<String, String> record) {
			this.inFlight.decrementAndGet();
			this.inFlightByPartition.get(record.partition()).decrementAndGet();
			if (this.inFlightByKey.get(record.key()).decrementAndGet() == 0) {
				this.keysInFlight.remove(record.key());
			}
		}

		int attemptsOfKey(String key) {
			AtomicInteger attempts = this.attemptsByKey.get(key);
			return (attempts != null) ? attempts.get() : 0;
		}

		long firstStartOfValue(String key, String value) {
			return this.firstStarts.get(key + "/" + value);
		}

	}

	/**
	 * The same work, one record per partition at a time, set on the listener.
	 */
	@KafkaOrdering(RecordOrdering.PARTITION)
	public static class PartitionOrderedListener extends AsyncListener {

	}

}
