package dev.eventloop.spring.kafka;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Sets the {@link RecordOrdering} of a {@code @KafkaListener @OnEventLoop} method (or of
 * every such method of a class), instead of {@code eventloop.kafka.ordering}:
 * <pre class="code">
 * &#64;KafkaListener(topics = "audit")
 * &#64;OnEventLoop(value = "audit", key = "#record.key()")
 * &#64;KafkaOrdering(RecordOrdering.UNORDERED)
 * public CompletableFuture&lt;Void&gt; store(ConsumerRecord&lt;String, String&gt; record) { ... }
 * </pre>
 *
 * @since 0.1.0
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface KafkaOrdering {

	/**
	 * The ordering of the method's records.
	 * @return the ordering
	 */
	RecordOrdering value();

}
