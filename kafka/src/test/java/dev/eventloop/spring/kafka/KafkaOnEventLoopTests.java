package dev.eventloop.spring.kafka;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import dev.eventloop.spring.OnEventLoop;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaConsumerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.ConsumerPostProcessor;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.util.backoff.FixedBackOff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A {@code @KafkaListener} method on an event loop, keyed by the record key and returning
 * a future, against a real broker: every record processed once, in order per key, on the
 * key's loop, committed to the end; a full loop holds records back instead of rejecting
 * them; a failing record goes to the container's error handler.
 */
@ExtendWith(OutputCaptureExtension.class)
class KafkaOnEventLoopTests {

	private static final int PARTITIONS = 4;

	private static final int KEYS = 200;

	private static EmbeddedKafkaBroker broker;

	@BeforeAll
	static void startBroker() {
		broker = new EmbeddedKafkaKraftBroker(1, PARTITIONS, "ordered", "bounded", "failing", "held", "plain");
		broker.afterPropertiesSet();
	}

	@AfterAll
	static void stopBroker() {
		broker.destroy();
	}

	@Test
	void recordsShouldBeProcessedOnceInOrderPerKeyOnTheKeysLoopAndCommittedToTheEnd() throws Exception {
		int records = 2_000;
		try (ConfigurableApplicationContext context = run(ListenerApplication.class, "ordered")) {
			Listener listener = context.getBean(Listener.class);
			KafkaTestSupport.produce(broker, "ordered", records, KEYS);
			await().atMost(KafkaTestSupport.TIMEOUT).until(() -> listener.deliveries().count.get() >= records);
			KafkaTestSupport.awaitCommittedToEnd(broker, "ordered-group", "ordered");

			assertThat(listener.deliveries().count).hasValue(records);
			assertThat(listener.deliveries().distinctRecords()).isEqualTo(records);
			assertInOrderPerKeyOnItsLoop(listener, context.getBean("workers", EventLoopGroup.class));
		}
	}

	@Test
	void fullLoopShouldHoldRecordsBackWithoutRejectingRetryingOrLosingAny() throws Exception {
		int records = 3_000;
		try (ConfigurableApplicationContext context = run(ListenerApplication.class, "bounded",
				"eventloop.loops.workers.queue-capacity=16", "test.work-micros=200")) {
			Listener listener = context.getBean(Listener.class);
			KafkaRecordDispatcher dispatcher = context.getBean(KafkaRecordDispatcher.class);
			CompositeHealthContributor health = context.getBean("eventLoopsHealthContributor",
					CompositeHealthContributor.class);
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			KafkaTestSupport.produce(broker, "bounded", records, KEYS);

			// while records are held back for the full loops, the loops stay healthy
			await().atMost(KafkaTestSupport.TIMEOUT)
				.until(() -> meters.get("eventloop.kafka.records.held")
					.gauges()
					.stream()
					.mapToDouble((g) -> g.value())
					.sum() > 0);
			assertThat(health.stream())
				.allSatisfy((entry) -> assertThat(((HealthIndicator) entry.contributor()).health().getStatus())
					.isEqualTo(Status.UP));

			await().atMost(KafkaTestSupport.TIMEOUT).until(() -> listener.deliveries().count.get() >= records);
			KafkaTestSupport.awaitCommittedToEnd(broker, "bounded-group", "bounded");

			assertThat(listener.deliveries().count).hasValue(records);
			assertThat(listener.deliveries().redelivered()).isZero();
			assertThat(dispatcher.lanes()).allSatisfy((lane) -> {
				assertThat(lane.highWaterMark()).isEqualTo(16);
				assertThat(lane.inFlight()).isZero();
				assertThat(lane.held()).isZero();
			});
			EventLoopGroup workers = context.getBean("workers", EventLoopGroup.class);
			assertThat(workers.loops()).allSatisfy((loop) -> assertThat(loop.stats().tasks().rejected()).isZero());
			assertInOrderPerKeyOnItsLoop(listener, workers);
		}
	}

	@Test
	void failingRecordShouldBeRetriedAndRecoveredByTheContainersErrorHandler() throws Exception {
		int records = 1_000;
		try (ConfigurableApplicationContext context = run(FailingListenerApplication.class, "failing",
				"test.fail-every=20")) {
			Listener listener = context.getBean(Listener.class);
			Recovered recovered = context.getBean(Recovered.class);
			KafkaTestSupport.produce(broker, "failing", records, KEYS);
			// sequence numbers 0..4 per key; those with (key index + sequence) % 20 == 0
			// fail on every attempt
			int failing = listener.failingCount(records, KEYS);
			await().atMost(KafkaTestSupport.TIMEOUT).until(() -> recovered.records.size() >= failing);
			KafkaTestSupport.awaitCommittedToEnd(broker, "failing-group", "failing");

			assertThat(recovered.records).hasSize(failing).doesNotHaveDuplicates();
			assertThat(recovered.records).containsExactlyInAnyOrderElementsOf(listener.failed());
			// three attempts of each failing record (FixedBackOff with two retries), one
			// of every other record
			assertThat(listener.attemptsByRecord()).hasSize(records);
			listener.attemptsByRecord()
				.forEach((record, attempts) -> assertThat(attempts).as("attempts of %s", record)
					.hasValue(listener.failed().contains(record) ? 3 : 1));
			assertThat(listener.attempts()).hasValue(records - failing + failing * 3);
			assertThat(listener.deliveries().count).hasValue(records - failing);
			assertThat(listener.deliveries().redelivered()).isZero();
		}
	}

	@Test
	void offsetsShouldStopBeforeARecordThatHasNotCompletedWhileLaterRecordsAreProcessedAndCommitted() throws Exception {
		int records = 1_000;
		// unordered: the later records of the held record's key complete around it too
		try (ConfigurableApplicationContext context = run(HoldingListenerApplication.class, "held",
				"test.hold-key=key-7", "eventloop.kafka.ordering=unordered")) {
			HoldingListener listener = context.getBean(HoldingListener.class);
			CommitSpy commits = context.getBean(CommitSpy.class);
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			KafkaTestSupport.produce(broker, "held", records, KEYS);

			// every record but the held one completes, on and past the held one's
			// partition
			await().atMost(KafkaTestSupport.TIMEOUT).until(() -> listener.deliveries().count.get() >= records - 1);
			ConsumerRecord<?, ?> held = listener.held().get(KafkaTestSupport.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
			TopicPartition partition = new TopicPartition(held.topic(), held.partition());
			// the completed records before it are committed; nothing at or after it is
			await().atMost(KafkaTestSupport.TIMEOUT)
				.untilAsserted(() -> assertThat(commits.highest(partition)).isEqualTo(held.offset()));
			// meanwhile every other partition is committed to its end, while the held
			// record's partition stays committed at the held record
			Map<TopicPartition, Long> end = KafkaTestSupport.endOffsets(broker, "held");
			Map<TopicPartition, Long> whileHeldCommitted = await().atMost(KafkaTestSupport.TIMEOUT)
				.until(() -> KafkaTestSupport.committed(broker, "held-group"),
						(committed) -> committed.getOrDefault(partition, -1L) >= held.offset() && end.keySet()
							.stream()
							.filter((other) -> !other.equals(partition))
							.allMatch((other) -> end.get(other).equals(committed.get(other))));
			assertThat(whileHeldCommitted).as("committed while the record is held")
				.hasSize(PARTITIONS)
				.containsEntry(partition, held.offset());
			assertThat(listener.release()).as("the record is still held").isNotDone();
			assertThat(meters.get("eventloop.kafka.commit.lag").gauge().value()).isPositive();

			List<Long> whileHeld = commits.offsets(partition);
			listener.release().complete(null);
			KafkaTestSupport.awaitCommittedToEnd(broker, "held-group", "held");

			assertThat(whileHeld).isNotEmpty()
				.allSatisfy((offset) -> assertThat(offset).isLessThanOrEqualTo(held.offset()));
			assertThat(commits.highest(partition)).isGreaterThan(held.offset());
			assertThat(listener.deliveries().count).hasValue(records);
			assertThat(listener.deliveries().redelivered()).isZero();
			await().atMost(KafkaTestSupport.TIMEOUT)
				.until(() -> meters.get("eventloop.kafka.commit.lag").gauge().value() == 0);
		}
	}

	@Test
	void consumerFactoryWithoutPostProcessorsShouldBeReportedAndItsRecordsCommittedAfterTheyComplete(
			CapturedOutput output) throws Exception {
		int records = 500;
		try (ConfigurableApplicationContext context = run(PlainConsumerFactoryApplication.class, "plain")) {
			Listener listener = context.getBean(Listener.class);
			KafkaTestSupport.produce(broker, "plain", records, KEYS);
			await().atMost(KafkaTestSupport.TIMEOUT).until(() -> listener.deliveries().count.get() >= records);
			KafkaTestSupport.awaitCommittedToEnd(broker, "plain-group", "plain");

			assertThat(listener.deliveries().count).hasValue(records);
			assertThat(listener.deliveries().redelivered()).isZero();
			assertThat(context.getBean(KafkaRecordDispatcher.class).partitions()).isEmpty();
			assertThat(output).contains("was not created through a consumer factory that applies post-processors");
		}
	}

	private static void assertInOrderPerKeyOnItsLoop(Listener listener, EventLoopGroup workers) {
		assertThat(listener.deliveries().sequencesByKey).hasSize(KEYS);
		listener.deliveries().sequencesByKey.forEach((key, sequences) -> {
			List<Integer> sorted = new ArrayList<>(sequences);
			sorted.sort(null);
			assertThat(sequences).as("sequence of %s", key).isEqualTo(sorted);
		});
		listener.deliveries().threadsByKey.forEach((key, threads) -> assertThat(threads).as("threads of %s", key)
			.containsExactly(workers.forKey(key).name()));
	}

	private static ConfigurableApplicationContext run(Class<?> application, String topic, String... properties) {
		return KafkaTestSupport.run(broker, application, topic, properties);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class ListenerApplication {

		@Bean
		Listener listener() {
			return new Listener();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@Import(ListenerApplication.class)
	static class FailingListenerApplication {

		@Bean
		Recovered recovered() {
			return new Recovered();
		}

		@Bean
		DefaultErrorHandler errorHandler(Recovered recovered) {
			return new DefaultErrorHandler(
					(record, ex) -> recovered.records.add(KafkaRecordDispatcher.describe(record)),
					new FixedBackOff(0, 2));
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class HoldingListenerApplication {

		@Bean
		HoldingListener listener() {
			return new HoldingListener();
		}

		@Bean
		CommitSpy commitSpy() {
			return new CommitSpy();
		}

		@Bean
		DefaultKafkaConsumerFactoryCustomizer commitSpyCustomizer(CommitSpy spy) {
			return (factory) -> factory.addPostProcessor(spy::wrap);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@Import(ListenerApplication.class)
	static class PlainConsumerFactoryApplication {

		@Bean
		DefaultKafkaConsumerFactory<Object, Object> kafkaConsumerFactory(KafkaProperties properties) {
			return new DefaultKafkaConsumerFactory<>(properties.buildConsumerProperties()) {

				@Override
				public void addPostProcessor(ConsumerPostProcessor<Object, Object> postProcessor) {
					// a factory that does not apply post-processors
				}

			};
		}

	}

	/**
	 * Records the offsets that reach the Kafka consumer's commit methods, beneath every
	 * other wrapper of the consumer.
	 */
	static class CommitSpy {

		private final Map<TopicPartition, List<Long>> offsets = new ConcurrentHashMap<>();

		@SuppressWarnings("unchecked")
		<K, V> Consumer<K, V> wrap(Consumer<K, V> consumer) {
			return (Consumer<K, V>) Proxy.newProxyInstance(getClass().getClassLoader(),
					new Class<?>[] { Consumer.class }, (proxy, method, args) -> {
						if (method.getName().startsWith("commit") && args != null && args[0] instanceof Map<?, ?> map) {
							map.forEach((partition, offset) -> this.offsets
								.computeIfAbsent((TopicPartition) partition, (key) -> new CopyOnWriteArrayList<>())
								.add(((OffsetAndMetadata) offset).offset()));
						}
						try {
							return method.invoke(consumer, args);
						}
						catch (InvocationTargetException ex) {
							throw ex.getTargetException();
						}
					});
		}

		List<Long> offsets(TopicPartition partition) {
			return List.copyOf(this.offsets.getOrDefault(partition, List.of()));
		}

		long highest(TopicPartition partition) {
			return offsets(partition).stream().mapToLong(Long::longValue).max().orElse(-1);
		}

	}

	/**
	 * Completes every record at once but the first of one key, whose future completes
	 * only when the test releases it.
	 */
	public static class HoldingListener {

		final KafkaTestSupport.Deliveries deliveries = new KafkaTestSupport.Deliveries();

		final CompletableFuture<ConsumerRecord<?, ?>> held = new CompletableFuture<>();

		final CompletableFuture<Void> release = new CompletableFuture<>();

		@Value("${test.hold-key}")
		String holdKey;

		@KafkaListener(topics = "${test.topic}", groupId = "${test.group}")
		@OnEventLoop(value = "workers", key = "#record.key()")
		public CompletableFuture<Void> handle(ConsumerRecord<String, String> record) {
			if (record.key().equals(this.holdKey) && this.held.complete(record)) {
				return this.release.thenRun(() -> this.deliveries.record(KafkaRecordDispatcher.describe(record),
						record.key(), record.value()));
			}
			this.deliveries.record(KafkaRecordDispatcher.describe(record), record.key(), record.value());
			return CompletableFuture.completedFuture(null);
		}

		public KafkaTestSupport.Deliveries deliveries() {
			return this.deliveries;
		}

		public CompletableFuture<ConsumerRecord<?, ?>> held() {
			return this.held;
		}

		public CompletableFuture<Void> release() {
			return this.release;
		}

	}

	static class Recovered {

		final List<String> records = new CopyOnWriteArrayList<>();

	}

	public static class Listener {

		final KafkaTestSupport.Deliveries deliveries = new KafkaTestSupport.Deliveries();

		final AtomicInteger attempts = new AtomicInteger();

		final Map<String, AtomicInteger> attemptsByRecord = new ConcurrentHashMap<>();

		final Set<String> failed = ConcurrentHashMap.newKeySet();

		@Value("${test.work-micros:0}")
		long workMicros;

		@Value("${test.fail-every:0}")
		int failEvery;

		@KafkaListener(topics = "${test.topic}", groupId = "${test.group}")
		@OnEventLoop(value = "workers", key = "#record.key()")
		public CompletableFuture<Void> handle(ConsumerRecord<String, String> record) {
			assertThat(EventLoop.current()).as("running on a loop").isPresent();
			this.attempts.incrementAndGet();
			this.attemptsByRecord
				.computeIfAbsent(KafkaRecordDispatcher.describe(record), (described) -> new AtomicInteger())
				.incrementAndGet();
			KafkaTestSupport.work(this.workMicros);
			if (fails(record.key(), Integer.parseInt(record.value()))) {
				this.failed.add(KafkaRecordDispatcher.describe(record));
				return CompletableFuture.failedFuture(new IllegalStateException("Refusing " + record.key()));
			}
			this.deliveries.record(KafkaRecordDispatcher.describe(record), record.key(), record.value());
			return CompletableFuture.completedFuture(null);
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

		/**
		 * The records that failed, as {@code topic-partition@offset}.
		 */
		public Set<String> failed() {
			return this.failed;
		}

		private boolean fails(String key, int sequence) {
			return this.failEvery > 0 && (Integer.parseInt(key.substring(4)) + sequence) % this.failEvery == 0;
		}

		public int failingCount(int records, int keys) {
			int count = 0;
			for (int i = 0; i < records; i++) {
				if (fails("key-" + (i % keys), i / keys)) {
					count++;
				}
			}
			return count;
		}

	}

}
