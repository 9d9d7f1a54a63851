package dev.eventloop.spring.autoconfigure.kafka;

import dev.eventloop.EventLoopRegistry;
import dev.eventloop.spring.actuate.EventLoopsEndpoint;
import dev.eventloop.spring.kafka.EventLoopKafkaMetrics;
import dev.eventloop.spring.kafka.EventLoopsKafkaEndpointExtension;
import dev.eventloop.spring.kafka.KafkaFactoryPostProcessor;
import dev.eventloop.spring.kafka.KafkaListenerDispatchPostProcessor;
import dev.eventloop.spring.kafka.KafkaRecordDispatcher;
import dev.eventloop.spring.kafka.LoopBackOffHandler;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration
 * Auto-configuration} of Kafka consumption on event loops, when Spring Kafka is present:
 * the records of {@code @KafkaListener} methods that carry
 * {@link dev.eventloop.spring.OnEventLoop @OnEventLoop} with a key, take the
 * {@code ConsumerRecord} and return a {@code CompletableFuture} are held back rather than
 * rejected when their loop is full, committed only once they have completed, handed to
 * the container's error handler when they fail, and waited for when their partitions are
 * revoked. Meters and an extension of the {@code eventloops} endpoint report them.
 * <p>
 * Ordered after the {@code @OnEventLoop} auto-configuration, whose advice this one's must
 * precede, and before Boot's Kafka auto-configuration, whose listener annotation
 * processor must see the advised beans.
 *
 * @since 0.1.0
 */
@AutoConfiguration(
		after = { dev.eventloop.spring.autoconfigure.OnEventLoopAutoConfiguration.class,
				dev.eventloop.spring.autoconfigure.EventLoopEndpointAutoConfiguration.class,
				dev.eventloop.spring.autoconfigure.EventLoopMetricsAutoConfiguration.class },
		beforeName = "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration")
@ConditionalOnClass({ KafkaListener.class, MessageListenerContainer.class })
@ConditionalOnBooleanProperty(name = { "eventloop.enabled", "eventloop.kafka.enabled" }, matchIfMissing = true)
@EnableConfigurationProperties(EventLoopKafkaProperties.class)
public final class EventLoopKafkaAutoConfiguration {

	EventLoopKafkaAutoConfiguration() {
	}

	@Bean
	KafkaRecordDispatcher eventLoopKafkaRecordDispatcher(EventLoopKafkaProperties properties) {
		return new KafkaRecordDispatcher(KafkaSettings.of(properties));
	}

	/**
	 * The error handler of Boot's listener container factory when the application defines
	 * none: Spring Kafka's default (ten attempts, then logged) unless
	 * {@code eventloop.kafka.retry.*} says otherwise, with its back-off on loop timers
	 * for records on loops, and the application's {@link ConsumerRecordRecoverer} (a
	 * {@code DeadLetterPublishingRecoverer}, say) if it has exactly one.
	 */
	@Bean
	@ConditionalOnMissingBean(CommonErrorHandler.class)
	DefaultErrorHandler eventLoopKafkaErrorHandler(EventLoopKafkaProperties properties,
			ObjectProvider<ConsumerRecordRecoverer> recoverer) {
		return new DefaultErrorHandler(recoverer.getIfUnique(), KafkaSettings.backOff(properties.getRetry()),
				new LoopBackOffHandler());
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static KafkaListenerDispatchPostProcessor eventLoopKafkaListenerDispatchPostProcessor(
			ObjectProvider<KafkaRecordDispatcher> dispatcher) {
		return new KafkaListenerDispatchPostProcessor(dispatcher);
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static KafkaFactoryPostProcessor eventLoopKafkaFactoryPostProcessor(
			ObjectProvider<KafkaRecordDispatcher> dispatcher) {
		return new KafkaFactoryPostProcessor(dispatcher);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	@ConditionalOnBean({ MeterRegistry.class, EventLoopRegistry.class })
	static class KafkaMetricsConfiguration {

		@Bean
		EventLoopKafkaMetrics eventLoopKafkaMetrics(KafkaRecordDispatcher dispatcher, EventLoopRegistry registry) {
			return new EventLoopKafkaMetrics(dispatcher, registry.loops());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(EndpointWebExtension.class)
	@ConditionalOnBean(EventLoopsEndpoint.class)
	static class KafkaEndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		EventLoopsKafkaEndpointExtension eventLoopsKafkaEndpointExtension(EventLoopsEndpoint endpoint,
				KafkaRecordDispatcher dispatcher) {
			return new EventLoopsKafkaEndpointExtension(endpoint, dispatcher);
		}

	}

}
