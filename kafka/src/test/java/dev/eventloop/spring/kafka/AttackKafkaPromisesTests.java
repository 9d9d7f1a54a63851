package dev.eventloop.spring.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import dev.eventloop.EventLoop;
import dev.eventloop.spring.OnEventLoop;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.kafka.test.utils.KafkaTestUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * Attacks on the promises of {@code docs/kafka.md} ("Ordering modes", "What is
 * guaranteed", "Settings", "Observability") and of the alert
 * {@code EventLoopKafkaRecordStuck} in {@code ops/prometheus/eventloop-alerts.yml},
 * against an embedded KRaft broker of its own.
 */
@ExtendWith(OutputCaptureExtension.class)
class AttackKafkaPromisesTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	private static EmbeddedKafkaBroker broker;

	@BeforeAll
	static void startBroker() {
		broker = new EmbeddedKafkaKraftBroker(1, 2, "atk-order-method", "atk-order-class", "atk-skip", "atk-waiting",
				"atk-waiting-p", "atk-slow", "atk-stuck");
		broker.afterPropertiesSet();
	}

	@AfterAll
	static void stopBroker() {
		broker.destroy();
	}

	// ---- Settings: "Invalid values fail startup with Spring Boot's report of each one:
	// the property, its value, where it was set and what it must be"

	/**
	 * Every {@code eventloop.kafka.*} setting given a bad value: Boot's reports must name
	 * each one, with its origin and its fix, the retry settings in the first startup and
	 * the others in the next one, once the retry settings are fixed.
	 */
	@Test
	void everyBadSettingOfOneStartupIsReportedWithItsOriginAndItsFix(CapturedOutput output) {
		Map<String, String> bad = new LinkedHashMap<>();
		bad.put("high-water-mark", "0");
		bad.put("max-in-flight", "-1");
		bad.put("commit-interval", "0s");
		bad.put("revocation-timeout", "-1s");
		bad.put("slow-record-threshold", "0ms");
		bad.put("retry.attempts", "0");
		bad.put("retry.delay", "-1s");
		bad.put("retry.multiplier", "0.5");
		bad.put("retry.max-delay", "0s");
		// Boot checks the nested retry settings before the others: with those wrong too,
		// the others are reported by the next startup, once the retry settings are fixed
		List<String> unreported = new ArrayList<>();
		for (boolean retryFixed : List.of(false, true)) {
			List<String> arguments = bad.entrySet()
				.stream()
				.filter((entry) -> !retryFixed || !entry.getKey().startsWith("retry."))
				.map((entry) -> "--eventloop.kafka." + entry.getKey() + "=" + entry.getValue())
				.toList();
			Throwable failure = catchThrowable(() -> start(PlainApplication.class, arguments));
			assertThat(failure).as("startup fails").isNotNull();
		}
		assertThat(output).contains("APPLICATION FAILED TO START");
		bad.forEach((property, value) -> {
			String name = "eventloop.kafka." + property;
			if (!output.toString().contains("Reason: " + name + " must be") || !output.toString()
				.contains("Origin: \"" + name + "\" from property source \"commandLineArgs\"")) {
				unreported.add(name + "=" + value);
			}
		});
		assertThat(unreported).as("bad settings missing from Boot's reports").isEmpty();
	}

	/**
	 * {@code retry.multiplier=NaN} is not 1 or more. It must fail startup with Boot's
	 * report naming the property, its origin and the fix, as 0.5 does.
	 */
	@Test
	void aRetryMultiplierThatIsNotANumberFailsStartupWithBootsReportOfTheProperty(CapturedOutput output) {
		Throwable failure = catchThrowable(
				() -> start(PlainApplication.class, List.of("--eventloop.kafka.retry.multiplier=NaN")));
		assertThat(failure).as("startup fails").isNotNull();
		assertThat(report(output)).as("Boot's failure report (startup failed with: %s)", rootCause(failure))
			.contains("Property: eventloop.kafka.retry.multiplier")
			.contains("Origin: \"eventloop.kafka.retry.multiplier\" from property source \"commandLineArgs\"")
			.contains("Reason: eventloop.kafka.retry.multiplier must be 1 for a fixed delay, or more");
	}

	/**
	 * An ordering that is not one of the three fails startup with Boot's report: the
	 * property, its value, its origin and the values it may take.
	 */
	@Test
	void anUnknownOrderingFailsStartupNamingThePropertyItsValueItsOriginAndTheValidValues(CapturedOutput output) {
		Throwable failure = catchThrowable(
				() -> start(PlainApplication.class, List.of("--eventloop.kafka.ordering=bogus")));
		assertThat(failure).as("startup fails").isNotNull();
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Property: eventloop.kafka.ordering")
			.contains("Value: \"bogus\"")
			.contains("Origin: \"eventloop.kafka.ordering\" from property source \"commandLineArgs\"");
		String report = output.toString().substring(output.toString().indexOf("APPLICATION FAILED TO START"));
		assertThat(report).contains("KEY").contains("PARTITION").contains("UNORDERED");
	}

	// ---- Ordering modes: "@KafkaOrdering on a method or its class sets its own"

	/**
	 * With {@code eventloop.kafka.ordering=unordered}: a listener whose class says
	 * UNORDERED and whose method says KEY runs key order (the method wins), and a
	 * listener whose class alone says PARTITION runs one record per partition.
	 */
	@Test
	void kafkaOrderingOnTheMethodWinsOverItsClassAndOnTheClassAloneOverTheProperty() throws Exception {
		int keys = 20;
		int perKey = 10;
		try (ConfigurableApplicationContext context = KafkaTestSupport.run(broker, OrderingApplication.class,
				"atk-order-method", "eventloop.kafka.ordering=unordered", "test.work-ms=2")) {
			Recorder recorder = context.getBean(Recorder.class);
			KafkaTestSupport.produce(broker, "atk-order-method", keys * perKey, keys);
			KafkaTestSupport.produce(broker, "atk-order-class", keys * perKey, keys);
			await().atMost(WAIT).until(() -> recorder.completed.get() >= 2 * keys * perKey);
			KafkaTestSupport.awaitCommittedToEnd(broker, "atk-order-method-group", "atk-order-method");
			KafkaTestSupport.awaitCommittedToEnd(broker, "atk-order-class-group", "atk-order-class");

			assertThat(recorder.overlapsWithinKey("atk-order-method")).as("KEY on the method: no overlap in a key")
				.isZero();
			assertThat(recorder.overlapsWithinPartition("atk-order-method"))
				.as("KEY on the method: keys of one partition overlap (neither PARTITION nor one at a time)")
				.isPositive();
			assertThat(recorder.overlapsWithinPartition("atk-order-class"))
				.as("PARTITION on the class: one record per partition")
				.isZero();
		}
	}

	// ---- Observability: eventloop.kafka.records.skipped (completed by the previous
	// owner)

	/**
	 * Two records of partition 0 never complete on the first instance; it stops. The next
	 * instance must run exactly those two and count every other record it is delivered,
	 * which the first had completed beyond its commit point, in
	 * {@code eventloop.kafka.records.skipped}.
	 */
	@Test
	void recordsSkippedAfterATakeoverAreCountedInTheSkippedCounter() throws Exception {
		String topic = "atk-skip";
		int records = 50;
		try (ConfigurableApplicationContext first = KafkaTestSupport.run(broker, SingleApplication.class, topic,
				"test.stick-keys=k-3,k-17", "eventloop.kafka.revocation-timeout=300ms")) {
			Recorder recorder = first.getBean(Recorder.class);
			List<ProducerRecord<String, String>> sent = new ArrayList<>();
			for (int i = 0; i < records; i++) {
				sent.add(new ProducerRecord<>(topic, 0, "k-" + i, "v" + i));
			}
			send(sent);
			await().atMost(WAIT).until(() -> recorder.completed.get() == records - 2 && recorder.held.get() == 2);
			KafkaRecordDispatcher dispatcher = first.getBean(KafkaRecordDispatcher.class);
			// the completed records beyond the commit point are committed in the metadata
			await().atMost(WAIT)
				.until(() -> dispatcher.partitions()
					.stream()
					.anyMatch((partition) -> partition.committed() == 3 && partition.completedBeyondCommit() == 45));
		}
		try (ConfigurableApplicationContext next = KafkaTestSupport.run(broker, SingleApplication.class, topic)) {
			Recorder recorder = next.getBean(Recorder.class);
			awaitCommitted(topic + "-group", topic, records);
			assertThat(recorder.started).containsExactlyInAnyOrder(topic + "-0@3", topic + "-0@17");
			MeterRegistry meters = next.getBean(MeterRegistry.class);
			// delivered from the commit point (3): 47 records, of which 45 had completed
			assertThat(meters.get("eventloop.kafka.records.skipped").functionCounter().count()).isEqualTo(45);
		}
	}

	// ---- Observability: the endpoint's mostWaiting, "the ten keys with most records
	// waiting", "as topic-partition:key" (keys, or partitions under partition ordering)

	/**
	 * Twelve keys of partition 0 with 1 to 12 records waiting behind a record that does
	 * not complete, and a partition-ordered listener with 14 records waiting on its
	 * partition 0: the endpoint lists ten entries, most first, each named as
	 * {@code topic-partition} or {@code topic-partition:key}.
	 */
	@Test
	void theEndpointListsTheTenKeysWithMostWaitingMostFirstEachNamedByTopicPartitionAndKey() throws Exception {
		try (ConfigurableApplicationContext context = KafkaTestSupport.run(broker, WaitingApplication.class,
				"atk-waiting", "test.stick-value=0", "management.endpoints.web.exposure.include=eventloops")) {
			Recorder recorder = context.getBean(Recorder.class);
			List<ProducerRecord<String, String>> sent = new ArrayList<>();
			int expectedWaiting = 0;
			for (int seq = 0; seq < 13; seq++) {
				for (int key = 0; key < 12; key++) {
					// key k-<n> gets n + 2 records: its first is held, n + 1 wait
					if (seq < key + 2) {
						sent.add(new ProducerRecord<>("atk-waiting", 0, String.format("k-%02d", key),
								String.valueOf(seq)));
						expectedWaiting += (seq > 0) ? 1 : 0;
					}
				}
			}
			for (int seq = 0; seq < 15; seq++) {
				sent.add(new ProducerRecord<>("atk-waiting-p", 0, "p-" + seq, (seq == 0) ? "0" : "x" + seq));
			}
			send(sent);
			int waitingTotal = expectedWaiting + 14;
			KafkaRecordDispatcher dispatcher = context.getBean(KafkaRecordDispatcher.class);
			await().atMost(WAIT).until(() -> dispatcher.keyLanes().waiting() == waitingTotal);
			assertThat(recorder.held).hasValue(13);

			EventLoopsKafkaEndpointExtension endpoint = context.getBean(EventLoopsKafkaEndpointExtension.class);
			List<EventLoopsKafkaEndpointExtension.KafkaKeyDescriptor> most = endpoint.eventLoops(SecurityContext.NONE)
				.kafka()
				.mostWaiting();
			assertThat(most).hasSize(10);
			assertThat(most).extracting(EventLoopsKafkaEndpointExtension.KafkaKeyDescriptor::waiting)
				.containsExactly(14, 12, 11, 10, 9, 8, 7, 6, 5, 4);
			assertThat(most).extracting(EventLoopsKafkaEndpointExtension.KafkaKeyDescriptor::key)
				.as("each entry named as topic-partition or topic-partition:key")
				.allSatisfy((key) -> assertThat(key).matches("atk-waiting(-p)?-0(:k-\\d\\d)?"));
			assertThat(most.get(0).key()).isEqualTo("atk-waiting-p-0");
			assertThat(most.get(1).key()).isEqualTo("atk-waiting-0:k-11");

			recorder.release.complete(null);
			await().atMost(WAIT).until(() -> dispatcher.keyLanes().waiting() == 0);
			assertThat(endpoint.eventLoops(SecurityContext.NONE).kafka().mostWaiting()).isEmpty();
		}
	}

	// ---- Observability: "a record in flight longer than slow-record-threshold (once per
	// record)" is logged and counted in eventloop.kafka.records.slow

	/**
	 * Ten records of one key, each running 50 ms (its future completed by a loop timer),
	 * with a threshold of 10 ms: each of them is in flight longer than the threshold, so
	 * each must be logged and counted, once.
	 */
	@Test
	void everyRecordRunningLongerThanTheSlowThresholdIsLoggedAndCountedExactlyOnce(CapturedOutput output)
			throws Exception {
		String topic = "atk-slow";
		int records = 10;
		try (ConfigurableApplicationContext context = KafkaTestSupport.run(broker, SingleApplication.class, topic,
				"test.work-ms=50", "eventloop.kafka.slow-record-threshold=10ms")) {
			Recorder recorder = context.getBean(Recorder.class);
			List<ProducerRecord<String, String>> sent = new ArrayList<>();
			for (int i = 0; i < records; i++) {
				sent.add(new ProducerRecord<>(topic, 0, "s", String.valueOf(i)));
			}
			send(sent);
			await().atMost(WAIT).until(() -> recorder.completed.get() == records);
			awaitCommitted(topic + "-group", topic, records);
			assertThat(recorder.minRunMillis()).as("each record ran longer than the 10 ms threshold").isGreaterThan(10);

			Map<String, Long> logged = new HashMap<>();
			Matcher matcher = Pattern
				.compile("Record " + topic + "-0@(\\d+) \\(key s\\)[^\\n]*?(?:has been running|ran) on event loop")
				.matcher(output.toString());
			while (matcher.find()) {
				logged.merge(matcher.group(1), 1L, Long::sum);
			}
			assertThat(logged.values()).as("logged more than once").allMatch((count) -> count == 1);
			double counted = context.getBean(MeterRegistry.class)
				.get("eventloop.kafka.records.slow")
				.functionCounter()
				.count();
			assertThat(logged.keySet()).as("offsets logged as slow (eventloop.kafka.records.slow = %s)", counted)
				.containsExactlyInAnyOrder("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
			assertThat(counted).isEqualTo(records);
		}
	}

	// ---- ops/prometheus/eventloop-alerts.yml, EventLoopKafkaRecordStuck:
	// max by (job, instance, group, topic, partition)
	// (eventloop_kafka_partition_oldest_age_seconds) > 300

	/**
	 * The series the alert reads exists under its Prometheus name and labels, grows while
	 * a record is stuck, stays 0 on a partition that has completed its records, and falls
	 * back to 0 when the record completes (the alert resolves). What the alert's
	 * description promises holds at the same time: the log names the record and the
	 * endpoint lists its key with the records waiting behind it.
	 */
	@Test
	void theStuckRecordAlertsSeriesExistsWithItsLabelsGrowsWhileStuckAndFallsBackWhenTheRecordCompletes(
			CapturedOutput output) throws Exception {
		String topic = "atk-stuck";
		try (ConfigurableApplicationContext context = KafkaTestSupport.run(broker, SingleApplication.class, topic,
				"test.stick-value=stuck", "eventloop.kafka.slow-record-threshold=200ms",
				"management.endpoints.web.exposure.include=eventloops")) {
			Recorder recorder = context.getBean(Recorder.class);
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			List<ProducerRecord<String, String>> sent = new ArrayList<>();
			sent.add(new ProducerRecord<>(topic, 0, "stuck-key", "stuck"));
			for (int i = 0; i < 3; i++) {
				sent.add(new ProducerRecord<>(topic, 0, "stuck-key", "behind-" + i));
			}
			for (int i = 0; i < 5; i++) {
				sent.add(new ProducerRecord<>(topic, 1, "free-" + i, "free"));
			}
			send(sent);
			await().atMost(WAIT).until(() -> recorder.completed.get() == 5 && recorder.held.get() == 1);

			Tags stuckPartition = Tags.of("group", topic + "-group", "topic", topic, "partition", "0");
			Tags freePartition = Tags.of("group", topic + "-group", "topic", topic, "partition", "1");
			Gauge stuck = meters.get("eventloop.kafka.partition.oldest.age").tags(stuckPartition).gauge();
			Meter.Id id = stuck.getId();
			assertThat(id.getType()).isEqualTo(Meter.Type.GAUGE);
			assertThat(id.getBaseUnit()).isEqualTo("seconds");
			assertThat(prometheusName(id)).isEqualTo("eventloop_kafka_partition_oldest_age_seconds");
			assertThat(id.getTags()).extracting(Tag::getKey).containsExactlyInAnyOrder("group", "topic", "partition");

			double first = stuck.value();
			assertThat(first).isPositive();
			await().atMost(WAIT).until(() -> stuck.value() > first);
			await().atMost(WAIT)
				.until(() -> meters.get("eventloop.kafka.partition.oldest.age")
					.tags(freePartition)
					.gauge()
					.value() == 0);
			// "The application log names it"
			await().atMost(WAIT).until(() -> output.toString().contains("Record " + topic + "-0@0 (key stuck-key)"));
			// "the kafka section of /actuator/eventloops lists the keys with most records
			// waiting"
			EventLoopsKafkaEndpointExtension endpoint = context.getBean(EventLoopsKafkaEndpointExtension.class);
			assertThat(endpoint.eventLoops(SecurityContext.NONE).kafka().mostWaiting())
				.extracting((key) -> key.key() + "=" + key.waiting())
				.containsExactly(topic + "-0:stuck-key=3");

			recorder.release.complete(null);
			await().atMost(WAIT).until(() -> recorder.completed.get() == 9);
			await().atMost(WAIT).until(() -> stuck.value() == 0);
		}
	}

	// ---- helpers

	/**
	 * Boot's failure report in the output, or a note that there is none.
	 */
	private static String report(CapturedOutput output) {
		String text = output.toString();
		int start = text.indexOf("APPLICATION FAILED TO START");
		return (start >= 0) ? text.substring(start) : "(no APPLICATION FAILED TO START report)";
	}

	private static String rootCause(Throwable failure) {
		Throwable cause = failure;
		while (cause.getCause() != null && cause.getCause() != cause) {
			cause = cause.getCause();
		}
		return cause.getClass().getName() + ": " + cause.getMessage();
	}

	private static void start(Class<?> application, List<String> arguments) {
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(application)
			.web(WebApplicationType.NONE)
			.run(arguments.toArray(String[]::new))) {
			// started: nothing to do
		}
	}

	/**
	 * The name Micrometer's Prometheus naming convention gives a meter: dots become
	 * underscores and the base unit is appended.
	 */
	private static String prometheusName(Meter.Id id) {
		String name = id.getName().replace('.', '_');
		return (id.getBaseUnit() != null && !name.endsWith("_" + id.getBaseUnit())) ? name + "_" + id.getBaseUnit()
				: name;
	}

	/**
	 * Wait until the group has committed partition 0 of the topic up to the offset.
	 */
	private static void awaitCommitted(String group, String topic, long offset) {
		TopicPartition partition = new TopicPartition(topic, 0);
		await().atMost(WAIT)
			.untilAsserted(
					() -> assertThat(KafkaTestSupport.committed(broker, group)).containsEntry(partition, offset));
	}

	private static void send(List<ProducerRecord<String, String>> records) {
		Map<String, Object> properties = new HashMap<>(KafkaTestUtils.producerProps(broker));
		properties.put("key.serializer", StringSerializer.class);
		properties.put("value.serializer", StringSerializer.class);
		try (KafkaProducer<String, String> producer = new KafkaProducer<>(properties)) {
			for (ProducerRecord<String, String> record : records) {
				producer.send(record);
			}
			producer.flush();
		}
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class PlainApplication {

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class SingleApplication {

		@Bean
		Recorder recorder() {
			return new Recorder();
		}

		@Bean
		TopicListener topicListener(Recorder recorder) {
			return new TopicListener(recorder);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class WaitingApplication {

		@Bean
		Recorder recorder() {
			return new Recorder();
		}

		@Bean
		TopicListener topicListener(Recorder recorder) {
			return new TopicListener(recorder);
		}

		@Bean
		PartitionListener partitionListener(Recorder recorder) {
			return new PartitionListener(recorder);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class OrderingApplication {

		@Bean
		Recorder recorder() {
			return new Recorder();
		}

		@Bean
		MethodOverClassListener methodOverClassListener(Recorder recorder) {
			return new MethodOverClassListener(recorder);
		}

		@Bean
		ClassOnlyListener classOnlyListener(Recorder recorder) {
			return new ClassOnlyListener(recorder);
		}

	}

	/**
	 * Key-ordered listener of {@code test.topic}.
	 */
	public static class TopicListener {

		private final Recorder recorder;

		TopicListener(Recorder recorder) {
			this.recorder = recorder;
		}

		@KafkaListener(topics = "${test.topic}", groupId = "${test.group}")
		@OnEventLoop(value = "workers", key = "#record.key()")
		public CompletableFuture<Void> handle(ConsumerRecord<String, String> record) {
			return this.recorder.handle(record);
		}

	}

	/**
	 * Partition-ordered listener of {@code atk-waiting-p}.
	 */
	@KafkaOrdering(RecordOrdering.PARTITION)
	public static class PartitionListener {

		private final Recorder recorder;

		PartitionListener(Recorder recorder) {
			this.recorder = recorder;
		}

		@KafkaListener(topics = "atk-waiting-p", groupId = "atk-waiting-p-group")
		@OnEventLoop(value = "workers", key = "#record.key()")
		public CompletableFuture<Void> handle(ConsumerRecord<String, String> record) {
			return this.recorder.handle(record);
		}

	}

	/**
	 * UNORDERED on the class, KEY on the method.
	 */
	@KafkaOrdering(RecordOrdering.UNORDERED)
	public static class MethodOverClassListener {

		private final Recorder recorder;

		MethodOverClassListener(Recorder recorder) {
			this.recorder = recorder;
		}

		@KafkaListener(topics = "atk-order-method", groupId = "atk-order-method-group")
		@OnEventLoop(value = "workers", key = "#record.key()")
		@KafkaOrdering(RecordOrdering.KEY)
		public CompletableFuture<Void> handle(ConsumerRecord<String, String> record) {
			return this.recorder.handle(record);
		}

	}

	/**
	 * PARTITION on the class only.
	 */
	@KafkaOrdering(RecordOrdering.PARTITION)
	public static class ClassOnlyListener {

		private final Recorder recorder;

		ClassOnlyListener(Recorder recorder) {
			this.recorder = recorder;
		}

		@KafkaListener(topics = "atk-order-class", groupId = "atk-order-class-group")
		@OnEventLoop(value = "workers", key = "#record.key()")
		public CompletableFuture<Void> handle(ConsumerRecord<String, String> record) {
			return this.recorder.handle(record);
		}

	}

	/**
	 * What the listeners saw: records started, overlaps within a key and within a
	 * partition (per topic), records held until {@link #release}, records completed.
	 * Records complete on their loop: at once, after {@code test.work-ms} on a loop
	 * timer, or, for held ones, once released.
	 */
	public static class Recorder {

		final List<String> started = new CopyOnWriteArrayList<>();

		final AtomicInteger completed = new AtomicInteger();

		final AtomicInteger held = new AtomicInteger();

		final CompletableFuture<Void> release = new CompletableFuture<>();

		private final Map<String, AtomicInteger> inFlightByKey = new ConcurrentHashMap<>();

		private final Map<String, AtomicInteger> inFlightByPartition = new ConcurrentHashMap<>();

		private final Map<String, AtomicInteger> overlapsWithinKey = new ConcurrentHashMap<>();

		private final Map<String, AtomicInteger> overlapsWithinPartition = new ConcurrentHashMap<>();

		private final List<Long> runMillis = new CopyOnWriteArrayList<>();

		@Value("${test.work-ms:0}")
		long workMillis;

		@Value("${test.stick-value:}")
		String stickValue;

		@Value("${test.stick-keys:}")
		String stickKeys;

		CompletableFuture<Void> handle(ConsumerRecord<String, String> record) {
			long start = System.nanoTime();
			String partition = record.topic() + "-" + record.partition();
			String key = partition + ":" + record.key();
			this.started.add(partition + "@" + record.offset());
			if (this.inFlightByKey.computeIfAbsent(key, (k) -> new AtomicInteger()).incrementAndGet() > 1) {
				this.overlapsWithinKey.computeIfAbsent(record.topic(), (k) -> new AtomicInteger()).incrementAndGet();
			}
			if (this.inFlightByPartition.computeIfAbsent(partition, (k) -> new AtomicInteger()).incrementAndGet() > 1) {
				this.overlapsWithinPartition.computeIfAbsent(record.topic(), (k) -> new AtomicInteger())
					.incrementAndGet();
			}
			EventLoop loop = EventLoop.current().orElseThrow();
			CompletableFuture<Void> done = new CompletableFuture<>();
			Runnable finish = () -> {
				this.inFlightByKey.get(key).decrementAndGet();
				this.inFlightByPartition.get(partition).decrementAndGet();
				this.runMillis.add((System.nanoTime() - start) / 1_000_000);
				this.completed.incrementAndGet();
				done.complete(null);
			};
			Set<String> sticky = Set.of(this.stickKeys.split(","));
			if (record.value().equals(this.stickValue) || sticky.contains(record.key())) {
				this.held.incrementAndGet();
				this.release.thenRun(() -> loop.execute(finish));
			}
			else if (this.workMillis > 0) {
				loop.schedule(finish, Duration.ofMillis(this.workMillis));
			}
			else {
				finish.run();
			}
			return done;
		}

		int overlapsWithinKey(String topic) {
			AtomicInteger overlaps = this.overlapsWithinKey.get(topic);
			return (overlaps != null) ? overlaps.get() : 0;
		}

		int overlapsWithinPartition(String topic) {
			AtomicInteger overlaps = this.overlapsWithinPartition.get(topic);
			return (overlaps != null) ? overlaps.get() : 0;
		}

		long minRunMillis() {
			return this.runMillis.stream().collect(Collectors.summarizingLong(Long::longValue)).getMin();
		}

	}

}
