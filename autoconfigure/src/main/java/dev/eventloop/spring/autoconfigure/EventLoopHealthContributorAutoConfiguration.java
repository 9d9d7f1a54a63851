package dev.eventloop.spring.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopRegistry;
import dev.eventloop.spring.actuate.EventLoopHealthIndicator;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration
 * Auto-configuration} of the {@code eventLoops} health contributor: one
 * {@link EventLoopHealthIndicator} per loop, so that {@code /actuator/health/eventLoops}
 * and {@code /actuator/health/eventLoops/{loop}} work. Follows
 * {@code management.health.eventloops.enabled}.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = EventLoopAutoConfiguration.class)
@ConditionalOnClass({ CompositeHealthContributor.class, ConditionalOnEnabledHealthIndicator.class })
public final class EventLoopHealthContributorAutoConfiguration {

	EventLoopHealthContributorAutoConfiguration() {
	}

	// the enablement condition lives on a nested class so that it is never loaded when
	// Spring Boot's health support is absent
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBean(EventLoopRegistry.class)
	@ConditionalOnEnabledHealthIndicator("eventloops")
	static class EventLoopsHealthContributorConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "eventLoopsHealthContributor")
		CompositeHealthContributor eventLoopsHealthContributor(EventLoopRegistry registry) {
			Map<String, EventLoop> loops = new LinkedHashMap<>();
			registry.loops().forEach((loop) -> loops.put(loop.name(), loop));
			return CompositeHealthContributor.fromMap(loops, EventLoopHealthIndicator::new);
		}

	}

}
