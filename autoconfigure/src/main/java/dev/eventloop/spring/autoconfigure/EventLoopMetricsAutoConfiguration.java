package dev.eventloop.spring.autoconfigure;

import dev.eventloop.EventLoopRegistry;
import dev.eventloop.spring.aop.OffloadExecution;
import dev.eventloop.spring.aop.OffloadMetrics;
import dev.eventloop.spring.metrics.EventLoopMetrics;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration
 * Auto-configuration} of {@link EventLoopMetrics}: the {@code eventloop.*} meters of
 * every loop, bound to every {@link MeterRegistry} of the application.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = { MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
		EventLoopAutoConfiguration.class })
@ConditionalOnClass({ MeterRegistry.class, MetricsAutoConfiguration.class })
@ConditionalOnBean({ MeterRegistry.class, EventLoopRegistry.class })
public final class EventLoopMetricsAutoConfiguration {

	EventLoopMetricsAutoConfiguration() {
	}

	@Bean
	@ConditionalOnMissingBean
	EventLoopMetrics eventLoopMetrics(EventLoopRegistry registry) {
		return new EventLoopMetrics(registry.loops());
	}

	@Bean
	@ConditionalOnBean(OffloadExecution.class)
	OffloadMetrics eventLoopOffloadMetrics(OffloadExecution offloadExecution) {
		return new OffloadMetrics(offloadExecution);
	}

}
