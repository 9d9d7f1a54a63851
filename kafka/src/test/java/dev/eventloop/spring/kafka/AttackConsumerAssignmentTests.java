package dev.eventloop.spring.kafka;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import dev.eventloop.spring.OnEventLoop;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaConsumerFactoryCustomizer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.kafka.test.utils.KafkaTestUtils;
import org.springframework.util.backoff.FixedBackOff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Attacks on the test helper {@link KafkaTestSupport#everyConsumerAssigned}, which
 * AttackKafkaTests relies on so that a failing record's attempts are not started over by
 * a member joining mid-retry: it is true only once every consumer of a concurrent
 * container holds a partition. While the second consumer of a two-consumer container has
 * not joined, the first holds every partition (all the partitions are assigned, yet the
 * helper must say no); a container with more consumers than partitions never satisfies
 * it, so a wait on it can only time out. And what the helper guards against, as
 * docs/kafka.md says: a failed record whose partition that join moves to the second
 * consumer starts its attempts over there.
 */
class AttackConsumerAssignmentTests {

	private static final int PARTITIONS = 2;

	private static final Duration WAIT = Duration.ofSeconds(30);

	// deliveries of a failing record before it is recovered
	private static final int ATTEMPTS = 4;

	private static EmbeddedKafkaBroker broker;

	@BeforeAll
	static void startBroker() {
		broker = new EmbeddedKafkaKraftBroker(1, PARTITIONS, "assign-late", "assign-surplus", "assign-retries");
		broker.afterPropertiesSet();
	}

	@AfterAll
	static void stopBroker() {
		broker.destroy();
	}

	@Test
	void notEveryConsumerIsAssignedWhileTheSecondHasNotJoinedThoughEveryPartitionIs() throws Exception {
		try (ConfigurableApplicationContext context = KafkaTestSupport.run(broker, AssignmentApplication.class,
				"assign-late", "test.concurrency=2", "test.held-consumer=2")) {
			HeldJoin held = context.getBean(HeldJoin.class);
			try {
				// the second consumer is in its first poll, held before it joins
				assertThat(held.holding.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
				await().atMost(WAIT).until(() -> KafkaTestSupport.assigned(context).size() == PARTITIONS);
				List<Collection<TopicPartition>> byConsumer = assignedByConsumer(context);
				assertThat(byConsumer).hasSize(2);
				assertThat(byConsumer).filteredOn(Collection::isEmpty).hasSize(1);
				assertThat(KafkaTestSupport.everyConsumerAssigned(context)).isFalse();
			}
			finally {
				held.release.countDown();
			}
			// the second consumer joins: the group rebalances, one partition each
			await().atMost(WAIT).until(() -> KafkaTestSupport.everyConsumerAssigned(context));
			assertThat(assignedByConsumer(context)).allSatisfy((partitions) -> assertThat(partitions).hasSize(1));
			assertThat(KafkaTestSupport.assigned(context)).hasSize(PARTITIONS);
		}
	}

	@Test
	void aContainerWithMoreConsumersThanPartitionsNeverHasEveryConsumerAssigned() throws Exception {
		String group = "assign-surplus-group";
		try (ConfigurableApplicationContext context = KafkaTestSupport.run(broker, AssignmentApplication.class,
				"assign-surplus", "test.concurrency=3");
				AdminClient admin = AdminClient.create(Map.of("bootstrap.servers", broker.getBrokersAsString()))) {
			// the group has settled: three members, the two partitions among them
			await().atMost(WAIT).until(() -> {
				ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group))
					.describedGroups()
					.get(group)
					.get(WAIT.toSeconds(), TimeUnit.SECONDS);
				return description.members().size() == 3 && description.members()
					.stream()
					.mapToInt((member) -> member.assignment().topicPartitions().size())
					.sum() == PARTITIONS;
			});
			await().atMost(WAIT).until(() -> KafkaTestSupport.assigned(context).size() == PARTITIONS);
			assertThat(assignedByConsumer(context)).hasSize(3).filteredOn(Collection::isEmpty).hasSize(1);
			assertThat(KafkaTestSupport.everyConsumerAssigned(context)).isFalse();
			// a test waiting for it waits out its whole timeout
			assertThatExceptionOfType(ConditionTimeoutException.class)
				.isThrownBy(() -> await().atMost(Duration.ofSeconds(2))
					.until(() -> KafkaTestSupport.everyConsumerAssigned(context)));
		}
	}

	@Test
	void aFailedRecordThatARebalanceMovesToAnotherConsumerStartsItsAttemptsOverThere() throws Exception {
		String topic = "assign-retries";
		try (ConfigurableApplicationContext context = KafkaTestSupport.run(broker, RetryApplication.class, topic,
				"test.concurrency=2", "test.held-consumer=2")) {
			HeldJoin held = context.getBean(HeldJoin.class);
			Attempts attempts = context.getBean(Attempts.class);
			try {
				assertThat(held.holding.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
				await().atMost(WAIT).until(() -> KafkaTestSupport.assigned(context).size() == PARTITIONS);
				// one failing record in each partition, both owned by the first consumer
				send(topic, 0, "a");
				send(topic, 1, "b");
				await().atMost(WAIT).until(() -> attempts.failed.stream().map(Attempt::record).distinct().count() == 2);
			}
			finally {
				held.release.countDown();
			}
			// the second consumer joins mid-retry: one of the two partitions moves to it
			await().atMost(WAIT).until(() -> KafkaTestSupport.everyConsumerAssigned(context));
			await().atMost(WAIT).until(() -> attempts.recovered.size() >= 2);
			Map<String, List<Attempt>> byRecord = attempts.failed.stream()
				.collect(Collectors.groupingBy(Attempt::record, TreeMap::new, Collectors.toList()));
			assertThat(byRecord).hasSize(2);
			List<List<Attempt>> moved = byRecord.values()
				.stream()
				.filter((recordAttempts) -> recordAttempts.stream().map(Attempt::thread).distinct().count() > 1)
				.collect(Collectors.toList());
			assertThat(moved).as("records whose attempts ran on two consumer threads: %s", byRecord).hasSize(1);
			List<Attempt> movedAttempts = moved.get(0);
			String firstOwner = movedAttempts.get(0).thread();
			String newOwner = movedAttempts.get(movedAttempts.size() - 1).thread();
			List<Integer> onFirstOwner = attemptNumbers(movedAttempts, firstOwner);
			List<Integer> onNewOwner = attemptNumbers(movedAttempts, newOwner);
			// a full round of attempts on the new owner, from the first, however many the
			// first owner had made
			assertThat(onFirstOwner).as("attempts on the first owner: %s", byRecord).isNotEmpty().startsWith(1);
			assertThat(onFirstOwner.size()).as("attempts on the first owner: %s", byRecord).isLessThan(ATTEMPTS);
			assertThat(onNewOwner).as("attempts on the new owner: %s", byRecord).containsExactly(1, 2, 3, 4);
			assertThat(attempts.recovered).as("recoveries: %s", byRecord)
				.filteredOn((recovery) -> recovery.record().equals(movedAttempts.get(0).record()))
				.singleElement()
				.extracting(Attempt::thread)
				.isEqualTo(newOwner);
		}
	}

	private static List<Integer> attemptNumbers(List<Attempt> attempts, String thread) {
		return attempts.stream()
			.filter((attempt) -> attempt.thread().equals(thread))
			.map(Attempt::attempt)
			.collect(Collectors.toList());
	}

	private static void send(String topic, int partition, String key) throws Exception {
		Map<String, Object> properties = new HashMap<>(KafkaTestUtils.producerProps(broker));
		properties.put("key.serializer", StringSerializer.class);
		properties.put("value.serializer", StringSerializer.class);
		try (KafkaProducer<String, String> producer = new KafkaProducer<>(properties)) {
			producer.send(new ProducerRecord<>(topic, partition, key, "fails")).get(WAIT.toSeconds(), TimeUnit.SECONDS);
		}
	}

	// the partitions each child consumer of the application's one concurrent container
	// holds
	private static List<Collection<TopicPartition>> assignedByConsumer(ConfigurableApplicationContext context) {
		Collection<MessageListenerContainer> containers = context.getBean(KafkaListenerEndpointRegistry.class)
			.getListenerContainers();
		assertThat(containers).hasSize(1);
		ConcurrentMessageListenerContainer<?, ?> concurrent = (ConcurrentMessageListenerContainer<?, ?>) containers
			.iterator()
			.next();
		return concurrent.getContainers().stream().map((child) -> {
			Collection<TopicPartition> partitions = child.getAssignedPartitions();
			return (partitions != null) ? partitions : List.<TopicPartition>of();
		}).collect(Collectors.toList());
	}

	/**
	 * Holds the first poll of the {@code test.held-consumer}-th consumer the factory
	 * creates ({@link HeldJoin}), so that the test decides when it joins its group.
	 */
	@Configuration(proxyBeanMethods = false)
	static class HeldJoinConfiguration {

		@Bean
		HeldJoin heldJoin(@Value("${test.held-consumer:0}") int heldConsumer) {
			return new HeldJoin(heldConsumer);
		}

		@Bean
		DefaultKafkaConsumerFactoryCustomizer holdJoin(HeldJoin held) {
			return (factory) -> factory.addPostProcessor(held::wrap);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@Import(HeldJoinConfiguration.class)
	static class AssignmentApplication {

		@Bean
		IdleListener idleListener() {
			return new IdleListener();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@Import(HeldJoinConfiguration.class)
	static class RetryApplication {

		@Bean
		Attempts attempts() {
			return new Attempts();
		}

		// four attempts two seconds apart, waited out on the loops: the second consumer
		// joins well within them
		@Bean
		DefaultErrorHandler errorHandler(Attempts attempts) {
			DefaultErrorHandler handler = new DefaultErrorHandler(
					(record, ex) -> attempts.recovered
						.add(new Attempt(KafkaRecordDispatcher.describe(record), Thread.currentThread().getName(), 0)),
					new FixedBackOff(2000, ATTEMPTS - 1), new LoopBackOffHandler());
			handler.setRetryListeners((record, ex, attempt) -> attempts.failed
				.add(new Attempt(KafkaRecordDispatcher.describe(record), Thread.currentThread().getName(), attempt)));
			return handler;
		}

		@Bean
		FailingListener failingListener() {
			return new FailingListener();
		}

	}

	/**
	 * The error handler's record of the failed deliveries and recoveries, each with the
	 * thread it was told on (the consumer thread that owns the record's partition).
	 */
	static final class Attempts {

		final List<Attempt> failed = new CopyOnWriteArrayList<>();

		final List<Attempt> recovered = new CopyOnWriteArrayList<>();

	}

	record Attempt(String record, String thread, int attempt) {
	}

	/**
	 * Every record fails, on a loop.
	 */
	public static class FailingListener {

		@KafkaListener(topics = "${test.topic}", groupId = "${test.group}", concurrency = "${test.concurrency}")
		@OnEventLoop(value = "workers", key = "#record.key()")
		public CompletableFuture<Void> handle(ConsumerRecord<String, String> record) {
			return CompletableFuture.failedFuture(new IllegalStateException("fails: " + record.key()));
		}

	}

	/**
	 * Holds the first poll of the n-th consumer the factory creates (0: none), and with
	 * it that consumer's join of its group, until the test releases it (bounded).
	 */
	static final class HeldJoin {

		final CountDownLatch holding = new CountDownLatch(1);

		final CountDownLatch release = new CountDownLatch(1);

		private final AtomicInteger created = new AtomicInteger();

		private final int held;

		HeldJoin(int held) {
			this.held = held;
		}

		@SuppressWarnings("unchecked")
		<K, V> Consumer<K, V> wrap(Consumer<K, V> consumer) {
			if (this.created.incrementAndGet() != this.held) {
				return consumer;
			}
			return (Consumer<K, V>) Proxy.newProxyInstance(getClass().getClassLoader(),
					new Class<?>[] { Consumer.class }, (proxy, method, args) -> {
						if (method.getName().equals("poll") && this.release.getCount() > 0) {
							this.holding.countDown();
							this.release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
						}
						try {
							return method.invoke(consumer, args);
						}
						catch (InvocationTargetException ex) {
							throw ex.getTargetException();
						}
					});
		}

	}

	/**
	 * A listener that receives nothing: the tests produce no record.
	 */
	public static class IdleListener {

		@KafkaListener(topics = "${test.topic}", groupId = "${test.group}", concurrency = "${test.concurrency}")
		public void handle(ConsumerRecord<String, String> record) {
		}

	}

}
