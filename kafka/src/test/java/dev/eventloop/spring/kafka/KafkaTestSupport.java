package dev.eventloop.spring.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsResult;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.event.ConsumerStartingEvent;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.utils.KafkaTestUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Producing test records, reading committed offsets and recording what listeners saw.
 */
final class KafkaTestSupport {

	static final Duration TIMEOUT = Duration.ofSeconds(60);

	private KafkaTestSupport() {
	}

	/**
	 * Send {@code count} records spread over {@code keys} keys: record {@code i} has key
	 * {@code key-(i % keys)} and value {@code i / keys}, its sequence number within its
	 * key.
	 */
	static void produce(EmbeddedKafkaBroker broker, String topic, int count, int keys) {
		produce(broker, topic, 0, count, keys);
	}

	/**
	 * Send one record.
	 */
	static void produce(EmbeddedKafkaBroker broker, String topic, @Nullable String key, String value) {
		try (KafkaProducer<String, String> producer = producer(broker)) {
			producer.send(new ProducerRecord<>(topic, key, value));
			producer.flush();
		}
	}

	private static KafkaProducer<String, String> producer(EmbeddedKafkaBroker broker) {
		Map<String, Object> properties = new HashMap<>(KafkaTestUtils.producerProps(broker));
		properties.put("key.serializer", StringSerializer.class);
		properties.put("value.serializer", StringSerializer.class);
		properties.put("linger.ms", 5);
		return new KafkaProducer<>(properties);
	}

	static void produce(EmbeddedKafkaBroker broker, String topic, int from, int to, int keys) {
		try (KafkaProducer<String, String> producer = producer(broker)) {
			for (int i = from; i < to; i++) {
				producer.send(new ProducerRecord<>(topic, "key-" + (i % keys), Integer.toString(i / keys)));
			}
			producer.flush();
		}
	}

	/**
	 * Wait until the group has committed every partition of the topic up to its end.
	 */
	static void awaitCommittedToEnd(EmbeddedKafkaBroker broker, String group, String topic) throws Exception {
		try (AdminClient admin = AdminClient.create(Map.of("bootstrap.servers", broker.getBrokersAsString()))) {
			Map<TopicPartition, Long> end = endOffsets(admin, broker, topic);
			await().atMost(TIMEOUT).untilAsserted(() -> assertThat(committed(admin, group)).isEqualTo(end));
		}
	}

	/**
	 * The offsets the group has committed, by partition.
	 */
	static Map<TopicPartition, Long> committed(EmbeddedKafkaBroker broker, String group) throws Exception {
		try (AdminClient admin = AdminClient.create(Map.of("bootstrap.servers", broker.getBrokersAsString()))) {
			return committed(admin, group);
		}
	}

	/**
	 * The end offset of every partition of the topic.
	 */
	static Map<TopicPartition, Long> endOffsets(EmbeddedKafkaBroker broker, String topic) throws Exception {
		try (AdminClient admin = AdminClient.create(Map.of("bootstrap.servers", broker.getBrokersAsString()))) {
			return endOffsets(admin, broker, topic);
		}
	}

	private static Map<TopicPartition, Long> endOffsets(AdminClient admin, EmbeddedKafkaBroker broker, String topic)
			throws Exception {
		Map<TopicPartition, OffsetSpec> request = new HashMap<>();
		for (int partition = 0; partition < broker.getPartitionsPerTopic(); partition++) {
			request.put(new TopicPartition(topic, partition), OffsetSpec.latest());
		}
		Map<TopicPartition, ListOffsetsResultInfo> result = admin.listOffsets(request)
			.all()
			.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
		return result.entrySet()
			.stream()
			.collect(Collectors.toMap(Map.Entry::getKey, (entry) -> entry.getValue().offset()));
	}

	private static Map<TopicPartition, Long> committed(AdminClient admin, String group) throws Exception {
		ListConsumerGroupOffsetsResult result = admin.listConsumerGroupOffsets(group);
		Map<TopicPartition, OffsetAndMetadata> offsets = result.partitionsToOffsetAndMetadata()
			.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
		return offsets.entrySet()
			.stream()
			.filter((entry) -> entry.getValue() != null)
			.collect(Collectors.toMap(Map.Entry::getKey, (entry) -> entry.getValue().offset()));
	}

	/**
	 * Keep the CPU busy for the given time, as a record's processing would.
	 */
	/**
	 * Start an application with a listener of {@code test.topic} in group
	 * {@code <topic>-group}, on a group of two {@code workers} loops.
	 */
	static ConfigurableApplicationContext run(EmbeddedKafkaBroker broker, Class<?> application, String topic,
			String... properties) {
		List<String> arguments = new ArrayList<>(
				List.of("--spring.kafka.bootstrap-servers=" + broker.getBrokersAsString(),
						"--spring.kafka.consumer.auto-offset-reset=earliest", "--eventloop.loops.workers.threads=2",
						"--test.topic=" + topic, "--test.group=" + topic + "-group"));
		for (String property : properties) {
			arguments.add("--" + property);
		}
		return new SpringApplicationBuilder(application).web(WebApplicationType.NONE)
			.run(arguments.toArray(String[]::new));
	}

	/**
	 * The partitions assigned to the listener containers of an application.
	 */
	static List<TopicPartition> assigned(ConfigurableApplicationContext context) {
		List<TopicPartition> assigned = new ArrayList<>();
		for (MessageListenerContainer container : context.getBean(KafkaListenerEndpointRegistry.class)
			.getListenerContainers()) {
			Collection<TopicPartition> partitions = container.getAssignedPartitions();
			if (partitions != null) {
				assigned.addAll(partitions);
			}
		}
		return assigned;
	}

	/**
	 * Make the calling thread, as the dispatcher sees it, the consumer thread of a new
	 * (never started) listener container of the group for the topic: for tests that drive
	 * the dispatcher without a broker. The test then hands the dispatcher its consumer
	 * with {@code consumerPolling}.
	 */
	static KafkaMessageListenerContainer<String, String> playConsumerThread(KafkaRecordDispatcher dispatcher,
			String topic, String group) {
		ContainerProperties properties = new ContainerProperties(topic);
		properties.setGroupId(group);
		KafkaMessageListenerContainer<String, String> container = new KafkaMessageListenerContainer<>(
				new DefaultKafkaConsumerFactory<>(Map.of()), properties);
		dispatcher.consumerEvent(new ConsumerStartingEvent(container, container));
		return container;
	}

	/**
	 * Whether every consumer of every listener container (each of a concurrent
	 * container's) holds a partition: no member is still to join its group. Until then a
	 * container can hold all its partitions with one consumer, and the next member's join
	 * moves some of them mid-test. A concurrent container that runs no consumer (not
	 * started, or stopped) does not count as assigned; one with more consumers than
	 * partitions never is, so a test must not wait on it then.
	 */
	static boolean everyConsumerAssigned(ConfigurableApplicationContext context) {
		List<MessageListenerContainer> consumers = new ArrayList<>();
		for (MessageListenerContainer container : context.getBean(KafkaListenerEndpointRegistry.class)
			.getListenerContainers()) {
			if (container instanceof ConcurrentMessageListenerContainer<?, ?> concurrent) {
				if (concurrent.getContainers().isEmpty()) {
					return false;
				}
				consumers.addAll(concurrent.getContainers());
			}
			else {
				consumers.add(container);
			}
		}
		return consumers.stream().allMatch((consumer) -> {
			Collection<TopicPartition> partitions = consumer.getAssignedPartitions();
			return partitions != null && !partitions.isEmpty();
		});
	}

	/**
	 * Assert that the records of each key were processed in the order they were sent.
	 */
	static void assertInOrderPerKey(Deliveries deliveries) {
		deliveries.sequencesByKey.forEach((key, sequences) -> {
			List<Integer> sorted = new ArrayList<>(sequences);
			sorted.sort(null);
			assertThat(sequences).as("sequence of %s", key).isEqualTo(sorted);
		});
	}

	static void work(long micros) {
		long end = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(micros);
		while (System.nanoTime() - end < 0) {
			Thread.onSpinWait();
		}
	}

	/**
	 * What a listener saw: every delivery, and per key the sequence numbers in the order
	 * they ran and the threads they ran on.
	 */
	static final class Deliveries {

		final AtomicInteger count = new AtomicInteger();

		final Map<String, AtomicInteger> byRecord = new ConcurrentHashMap<>();

		final Map<String, List<Integer>> sequencesByKey = new ConcurrentHashMap<>();

		final Map<String, List<String>> threadsByKey = new ConcurrentHashMap<>();

		void record(String topicPartitionOffset, String key, String value) {
			this.byRecord.computeIfAbsent(topicPartitionOffset, (k) -> new AtomicInteger()).incrementAndGet();
			this.sequencesByKey.computeIfAbsent(key, (k) -> new CopyOnWriteArrayList<>()).add(Integer.parseInt(value));
			List<String> threads = this.threadsByKey.computeIfAbsent(key, (k) -> new CopyOnWriteArrayList<>());
			String thread = Thread.currentThread().getName();
			if (!threads.contains(thread)) {
				threads.add(thread);
			}
			this.count.incrementAndGet();
		}

		int distinctRecords() {
			return this.byRecord.size();
		}

		long redelivered() {
			return this.byRecord.values().stream().filter((deliveries) -> deliveries.get() > 1).count();
		}

	}

}
