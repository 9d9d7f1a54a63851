package dev.eventloop.spring.kafka;

import java.lang.reflect.Method;
import java.util.concurrent.CompletableFuture;

import dev.eventloop.EventLoopGroup;
import dev.eventloop.spring.aop.EventLoopMethod;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.messaging.handler.annotation.SendTo;

/**
 * A {@code @KafkaListener} method that also carries {@code @OnEventLoop} with a key and
 * returns a future (or is a Kotlin {@code suspend} function), worked out once per method:
 * which parameter is the record, and the {@link EventLoopMethod} that the
 * {@code @OnEventLoop} advice works out for the same method (its group and key
 * expression).
 */
final class KafkaListenerMethod {

	private static final Log logger = LogFactory.getLog(KafkaListenerMethod.class);

	private final EventLoopMethod onEventLoop;

	private final int recordIndex;

	// the method's own ordering (@KafkaOrdering on it or its class), or null
	private final @Nullable RecordOrdering ordering;

	private KafkaListenerMethod(EventLoopMethod onEventLoop, int recordIndex, @Nullable RecordOrdering ordering) {
		this.onEventLoop = onEventLoop;
		this.recordIndex = recordIndex;
		this.ordering = ordering;
	}

	/**
	 * Return the plan for a method, or {@code null} when the starter does not dispatch
	 * its records (it is not a {@code @KafkaListener} on an event loop, or lacks what
	 * dispatching needs, which is logged).
	 */
	static @Nullable KafkaListenerMethod of(Method method, Class<?> targetClass) {
		if (!AnnotatedElementUtils.hasAnnotation(method, KafkaListener.class)) {
			return null;
		}
		EventLoopMethod onEventLoop = EventLoopMethod.of(method, targetClass);
		if (onEventLoop == null || !onEventLoop.isOnEventLoop()) {
			return null;
		}
		String description = describe(method);
		if (!onEventLoop.isSuspending() && (!method.getReturnType().isAssignableFrom(CompletableFuture.class)
				|| method.getReturnType() == Object.class)) {
			logger.warn("@KafkaListener @OnEventLoop method " + description + " does not return a"
					+ " CompletableFuture, so the container acknowledges its records before they run and a full"
					+ " loop rejects them: declare CompletableFuture<Void> as its return type (or make it a Kotlin"
					+ " suspend function) to have its records"
					+ " committed after they complete and held back when the loop is full.");
			return null;
		}
		if (!onEventLoop.hasKey()) {
			logger.warn("@KafkaListener @OnEventLoop method " + description + " has no key, so its records are"
					+ " spread over the loops without order: add a key such as key = \"#record.key()\" to process"
					+ " the records of one key in order on one loop, with backpressure.");
			return null;
		}
		if (AnnotatedElementUtils.hasAnnotation(method, SendTo.class)
				|| AnnotatedElementUtils.hasAnnotation(targetClass, SendTo.class)) {
			logger.warn("@KafkaListener @OnEventLoop method " + description + " replies with @SendTo, which the"
					+ " starter does not support: it tells the container a record is done when it hands it to its"
					+ " loop, before there is a value to reply with. Its records are left to the @OnEventLoop advice"
					+ " (not held back when the loop is full); send the reply from the method with a KafkaTemplate"
					+ " instead.");
			return null;
		}
		Class<?>[] types = method.getParameterTypes();
		for (int i = 0; i < types.length; i++) {
			if (ConsumerRecord.class.isAssignableFrom(types[i])) {
				KafkaOrdering ordering = AnnotatedElementUtils.findMergedAnnotation(method, KafkaOrdering.class);
				if (ordering == null) {
					ordering = AnnotatedElementUtils.findMergedAnnotation(targetClass, KafkaOrdering.class);
				}
				return new KafkaListenerMethod(onEventLoop, i, (ordering != null) ? ordering.value() : null);
			}
		}
		logger.warn("@KafkaListener @OnEventLoop method " + description + " has no ConsumerRecord parameter, so"
				+ " its records cannot be tracked by partition and offset: take the ConsumerRecord<K, V> as a"
				+ " parameter to have them committed after they complete and held back when the loop is full.");
		return null;
	}

	/**
	 * Return whether the listener is a Kotlin {@code suspend} function: its record is
	 * done when the function returns, and the container gets no future from it.
	 */
	boolean isSuspending() {
		return this.onEventLoop.isSuspending();
	}

	ConsumerRecord<?, ?> record(@Nullable Object[] arguments) {
		return (ConsumerRecord<?, ?>) arguments[this.recordIndex];
	}

	RecordOrdering ordering(RecordOrdering otherwise) {
		return (this.ordering != null) ? this.ordering : otherwise;
	}

	EventLoopGroup group(BeanFactory beanFactory) {
		return this.onEventLoop.group(beanFactory);
	}

	Object key(@Nullable Object[] arguments) {
		try {
			return this.onEventLoop.key(arguments);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException(
					ex.getMessage() + " (record " + KafkaRecordDispatcher.describe(record(arguments)) + ")", ex);
		}
	}

	static String describe(Method method) {
		return EventLoopMethod.describe(method);
	}

}
