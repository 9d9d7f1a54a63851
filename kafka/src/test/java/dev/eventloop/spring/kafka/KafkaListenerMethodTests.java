package dev.eventloop.spring.kafka;

import java.lang.reflect.Method;
import java.util.concurrent.CompletableFuture;

import dev.eventloop.spring.OnEventLoop;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.messaging.handler.annotation.SendTo;
import org.springframework.util.ReflectionUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link KafkaListenerMethod}: which listener methods the starter dispatches.
 */
class KafkaListenerMethodTests {

	@Test
	void keyedFutureReturningRecordListenerShouldBeDispatched() {
		KafkaListenerMethod plan = KafkaListenerMethod.of(method("dispatched"), Listeners.class);
		assertThat(plan).isNotNull();
		assertThat(plan.record(new Object[] { "other", record() })).isSameAs(record());
	}

	@Test
	void listenerThatRepliesWithSendToShouldNotBeDispatched() {
		assertThat(KafkaListenerMethod.of(method("replying"), Listeners.class)).isNull();
	}

	@Test
	void listenerWithoutKeyOrRecordOrFutureShouldNotBeDispatched() {
		assertThat(KafkaListenerMethod.of(method("withoutKey"), Listeners.class)).isNull();
		assertThat(KafkaListenerMethod.of(method("withoutRecord"), Listeners.class)).isNull();
		assertThat(KafkaListenerMethod.of(method("returningVoid"), Listeners.class)).isNull();
		assertThat(KafkaListenerMethod.of(method("notOnALoop"), Listeners.class)).isNull();
	}

	private static final ConsumerRecord<String, String> RECORD = new ConsumerRecord<>("topic", 0, 0, "key", "value");

	private static ConsumerRecord<String, String> record() {
		return RECORD;
	}

	private static Method method(String name) {
		for (Method method : ReflectionUtils.getDeclaredMethods(Listeners.class)) {
			if (method.getName().equals(name)) {
				return method;
			}
		}
		throw new IllegalArgumentException(name);
	}

	public static class Listeners {

		@KafkaListener(topics = "t")
		@OnEventLoop(value = "workers", key = "#record.key()")
		public CompletableFuture<Void> dispatched(String other, ConsumerRecord<String, String> record) {
			return CompletableFuture.completedFuture(null);
		}

		@KafkaListener(topics = "t")
		@SendTo("replies")
		@OnEventLoop(value = "workers", key = "#record.key()")
		public CompletableFuture<String> replying(ConsumerRecord<String, String> record) {
			return CompletableFuture.completedFuture("reply");
		}

		@KafkaListener(topics = "t")
		@OnEventLoop("workers")
		public CompletableFuture<Void> withoutKey(ConsumerRecord<String, String> record) {
			return CompletableFuture.completedFuture(null);
		}

		@KafkaListener(topics = "t")
		@OnEventLoop(value = "workers", key = "#value")
		public CompletableFuture<Void> withoutRecord(String value) {
			return CompletableFuture.completedFuture(null);
		}

		@KafkaListener(topics = "t")
		@OnEventLoop(value = "workers", key = "#record.key()")
		public void returningVoid(ConsumerRecord<String, String> record) {
		}

		@KafkaListener(topics = "t")
		public CompletableFuture<Void> notOnALoop(ConsumerRecord<String, String> record) {
			return CompletableFuture.completedFuture(null);
		}

	}

}
