package dev.eventloop.spring.coroutines.kafka

import dev.eventloop.EventLoop
import dev.eventloop.EventLoopGroup
import dev.eventloop.spring.OnEventLoop
import java.time.Duration
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.ConcurrentLinkedQueue
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.yield
import org.apache.kafka.clients.admin.AdminClient
import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.TopicPartition
import org.apache.kafka.common.serialization.StringSerializer
import org.assertj.core.api.Assertions.assertThat
import org.awaitility.Awaitility.await
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.springframework.boot.WebApplicationType
import org.springframework.boot.autoconfigure.EnableAutoConfiguration
import org.springframework.boot.builder.SpringApplicationBuilder
import org.springframework.context.annotation.Bean
import org.springframework.context.annotation.Configuration
import org.springframework.kafka.annotation.KafkaListener
import org.springframework.kafka.test.EmbeddedKafkaBroker
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker
import org.springframework.kafka.test.utils.KafkaTestUtils

/**
 * A `suspend` `@KafkaListener` with `@OnEventLoop(key = ...)` against a real broker, through
 * the starter's Kafka dispatch: each record runs on its key's loop, one record per key until
 * the function returns, in order, and its offset is committed only once the function has
 * returned.
 */
class SuspendKafkaListenerTests {

	@Test
	fun `records run per key in order on the key's loop and are committed once the function returns`() {
		val records = 400
		val keys = 20
		application().use { context ->
			val listener = context.getBean(PaymentLog::class.java)
			val workers = context.getBean("workers", EventLoopGroup::class.java)
			produce(records, keys)

			// every record but those of the held key (its first, and the ones behind it)
			await().atMost(TIMEOUT).until { listener.processed.size >= records - records / keys }
			val held = listener.held.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)
			val partition = TopicPartition(held.topic(), held.partition())
			// the held record's offset is not committed while its function has not returned
			assertThat(committed()[partition] ?: 0L).isLessThanOrEqualTo(held.offset())
			assertThat(listener.processed.map { it.key }).doesNotContain(HELD_KEY)

			listener.release.complete(Unit)
			await().atMost(TIMEOUT).until { listener.processed.size >= records }
			await().atMost(TIMEOUT).untilAsserted { assertThat(committed()).isEqualTo(endOffsets()) }

			assertThat(listener.processed).hasSize(records)
			assertThat(listener.maxInFlightPerKey.values.map { it.get() }).containsOnly(1)
			listener.processed.groupBy { it.key }.forEach { (key, seen) ->
				assertThat(seen.map { it.sequence }).`as`("order of %s", key).isSorted()
				assertThat(seen.flatMap { listOf(it.startedOn, it.endedOn) }.toSet())
					.`as`("loops of %s", key)
					.containsExactly(workers.forKey(key).name())
			}
		}
	}

	/** One record as the listener saw it. */
	data class Processed(val key: String, val sequence: Int, val startedOn: String, val endedOn: String)

	/** What the listener saw, outside the proxied listener (any thread). */
	class PaymentLog {

		val processed = ConcurrentLinkedQueue<Processed>()

		val held = java.util.concurrent.CompletableFuture<ConsumerRecord<String, String>>()

		val release = CompletableDeferred<Unit>()

		val inFlight = ConcurrentHashMap<String, AtomicInteger>()

		val maxInFlightPerKey = ConcurrentHashMap<String, AtomicInteger>()

	}

	/**
	 * A suspend listener on the key's loop (open, for the proxy: it is no `@Component`); the
	 * first record of [HELD_KEY] waits for the log's release.
	 */
	open class PaymentListener(private val log: PaymentLog) {

		@KafkaListener(topics = [TOPIC], groupId = GROUP)
		@OnEventLoop("workers", key = "#record.key()")
		open suspend fun handle(record: ConsumerRecord<String, String>) {
			val key = record.key()
			val now = log.inFlight.computeIfAbsent(key) { AtomicInteger() }.incrementAndGet()
			log.maxInFlightPerKey.computeIfAbsent(key) { AtomicInteger() }.accumulateAndGet(now, ::maxOf)
			val startedOn = currentLoop()
			if (key == HELD_KEY && record.value() == "0") {
				log.held.complete(record)
				log.release.await()
			}
			yield()
			log.inFlight.getValue(key).decrementAndGet()
			log.processed += Processed(key, record.value().toInt(), startedOn, currentLoop())
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	class ListenerApplication {

		@Bean
		fun paymentLog() = PaymentLog()

		@Bean
		fun paymentListener(log: PaymentLog) = PaymentListener(log)

	}

	private fun application() = SpringApplicationBuilder(ListenerApplication::class.java)
		.web(WebApplicationType.NONE)
		.run(
			"--spring.kafka.bootstrap-servers=${broker.brokersAsString}",
			"--spring.kafka.consumer.auto-offset-reset=earliest",
			"--eventloop.loops.workers.threads=2",
		)

	private fun produce(count: Int, keys: Int) {
		val properties = HashMap(KafkaTestUtils.producerProps(broker))
		properties["key.serializer"] = StringSerializer::class.java
		properties["value.serializer"] = StringSerializer::class.java
		KafkaProducer<String, String>(properties).use { producer ->
			for (i in 0 until count) {
				producer.send(ProducerRecord(TOPIC, "key-${i % keys}", (i / keys).toString()))
			}
			producer.flush()
		}
	}

	private fun committed(): Map<TopicPartition, Long> = admin().use { admin ->
		admin.listConsumerGroupOffsets(GROUP)
			.partitionsToOffsetAndMetadata()
			.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)
			.filterValues { it != null }
			.mapValues { it.value.offset() }
	}

	private fun endOffsets(): Map<TopicPartition, Long> = admin().use { admin ->
		val partitions = admin.describeTopics(listOf(TOPIC))
			.allTopicNames()
			.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)
			.getValue(TOPIC)
			.partitions()
			.map { TopicPartition(TOPIC, it.partition()) }
		admin.listOffsets(partitions.associateWith { org.apache.kafka.clients.admin.OffsetSpec.latest() })
			.all()
			.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)
			.mapValues { it.value.offset() }
	}

	private fun admin(): AdminClient = AdminClient.create(mapOf("bootstrap.servers" to broker.brokersAsString))

	companion object {

		const val TOPIC = "payments"

		const val GROUP = "payments-group"

		const val HELD_KEY = "key-3"

		val TIMEOUT: Duration = Duration.ofSeconds(30)

		private lateinit var broker: EmbeddedKafkaBroker

		fun currentLoop(): String = EventLoop.current().map { it.name() }.orElse("none")

		@JvmStatic
		@BeforeAll
		fun startBroker() {
			broker = EmbeddedKafkaKraftBroker(1, 4, TOPIC)
			broker.afterPropertiesSet()
		}

		@JvmStatic
		@AfterAll
		fun stopBroker() {
			broker.destroy()
		}

	}

}
