package dev.eventloop.spring.autoconfigure.observation;

import dev.eventloop.spring.autoconfigure.EventLoopAutoConfiguration;
import dev.eventloop.spring.observation.EventLoopTaskObservations;
import dev.eventloop.spring.observation.EventLoopTaskQueueWaitHandler;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration
 * Auto-configuration} of the {@code eventloop.task} observations, when
 * {@code eventloop.observations.enabled} is {@code true} and the application has an
 * {@link ObservationRegistry}. When off (the default) no decorator is registered, and
 * tasks run as without observation.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = EventLoopAutoConfiguration.class, afterName = {
		"org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration" })
@ConditionalOnClass(name = "io.micrometer.observation.ObservationRegistry")
@ConditionalOnBooleanProperty("eventloop.observations.enabled")
@ConditionalOnBean(ObservationRegistry.class)
public final class EventLoopObservationAutoConfiguration {

	EventLoopObservationAutoConfiguration() {
	}

	@Bean
	@ConditionalOnMissingBean
	EventLoopTaskObservations eventLoopTaskObservations(ObservationRegistry registry) {
		return new EventLoopTaskObservations(registry);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
	@ConditionalOnBean(MeterRegistry.class)
	static class QueueWaitMeterConfiguration {

		@Bean
		@ConditionalOnMissingBean
		EventLoopTaskQueueWaitHandler eventLoopTaskQueueWaitHandler(MeterRegistry registry) {
			return new EventLoopTaskQueueWaitHandler(registry);
		}

	}

}
