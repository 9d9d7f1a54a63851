package dev.eventloop.spring.kafka;

import java.lang.reflect.Method;
import java.util.concurrent.CompletableFuture;

import dev.eventloop.EventLoopGroup;
import dev.eventloop.spring.EventLoopBeans;
import dev.eventloop.spring.OnEventLoop;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.context.expression.MethodBasedEvaluationContext;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.expression.Expression;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.messaging.handler.annotation.SendTo;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;

/**
 * A {@code @KafkaListener} method that also carries {@code @OnEventLoop} with a key and
 * returns a future, worked out once per method: which parameter is the record, which
 * group to run on and how to compute the key.
 */
final class KafkaListenerMethod {

	private static final Log logger = LogFactory.getLog(KafkaListenerMethod.class);

	private static final SpelExpressionParser parser = new SpelExpressionParser();

	private static final ParameterNameDiscoverer parameterNames = new DefaultParameterNameDiscoverer();

	private final Method method;

	private final String groupName;

	private final Expression key;

	private final int recordIndex;

	// resolved on first delivery by a consumer thread; racing resolutions find the same
	// bean
	private volatile @Nullable EventLoopGroup group;

	private KafkaListenerMethod(Method method, String groupName, Expression key, int recordIndex) {
		this.method = method;
		this.groupName = groupName;
		this.key = key;
		this.recordIndex = recordIndex;
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
		OnEventLoop onEventLoop = AnnotatedElementUtils.findMergedAnnotation(method, OnEventLoop.class);
		if (onEventLoop == null) {
			onEventLoop = AnnotatedElementUtils.findMergedAnnotation(targetClass, OnEventLoop.class);
		}
		if (onEventLoop == null) {
			return null;
		}
		String description = describe(method);
		if (!method.getReturnType().isAssignableFrom(CompletableFuture.class)
				|| method.getReturnType() == Object.class) {
			logger.warn("@KafkaListener @OnEventLoop method " + description + " does not return a"
					+ " CompletableFuture, so the container acknowledges its records before they run and a full"
					+ " loop rejects them: declare CompletableFuture<Void> as its return type to have its records"
					+ " committed after they complete and held back when the loop is full.");
			return null;
		}
		if (!StringUtils.hasText(onEventLoop.key())) {
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
				return new KafkaListenerMethod(method, onEventLoop.value(), parser.parseExpression(onEventLoop.key()),
						i);
			}
		}
		logger.warn("@KafkaListener @OnEventLoop method " + description + " has no ConsumerRecord parameter, so"
				+ " its records cannot be tracked by partition and offset: take the ConsumerRecord<K, V> as a"
				+ " parameter to have them committed after they complete and held back when the loop is full.");
		return null;
	}

	ConsumerRecord<?, ?> record(@Nullable Object[] arguments) {
		return (ConsumerRecord<?, ?>) arguments[this.recordIndex];
	}

	EventLoopGroup group(BeanFactory beanFactory) {
		EventLoopGroup group = this.group;
		if (group == null) {
			group = EventLoopBeans.get(beanFactory, this.groupName);
			this.group = group;
		}
		return group;
	}

	Object key(@Nullable Object[] arguments) {
		MethodBasedEvaluationContext context = new MethodBasedEvaluationContext(arguments, this.method, arguments,
				parameterNames);
		Object value = this.key.getValue(context);
		if (value == null) {
			throw new IllegalArgumentException("Key expression '" + this.key.getExpressionString()
					+ "' of @OnEventLoop on " + describe(this.method) + " evaluated to null for record "
					+ KafkaRecordDispatcher.describe(record(arguments))
					+ ": give every record a key, or choose an expression that is never null");
		}
		return value;
	}

	static String describe(Method method) {
		return ClassUtils.getQualifiedMethodName(method);
	}

}
