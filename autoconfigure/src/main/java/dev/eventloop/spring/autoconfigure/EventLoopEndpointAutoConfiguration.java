package dev.eventloop.spring.autoconfigure;

import dev.eventloop.EventLoopRegistry;
import dev.eventloop.spring.actuate.EventLoopsEndpoint;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration
 * Auto-configuration} of the {@link EventLoopsEndpoint}. Boot's exposure rules apply: the
 * endpoint is not exposed over HTTP unless the application exposes it.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = EventLoopAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
public final class EventLoopEndpointAutoConfiguration {

	EventLoopEndpointAutoConfiguration() {
	}

	// the availability condition lives on a nested class
	// so that it is never loaded when Actuator is absent
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBean(EventLoopRegistry.class)
	@ConditionalOnAvailableEndpoint(EventLoopsEndpoint.class)
	@EnableConfigurationProperties(EventLoopActuatorProperties.class)
	static class EventLoopsEndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		EventLoopsEndpoint eventLoopsEndpoint(EventLoopRegistry registry, EventLoopActuatorProperties properties) {
			return new EventLoopsEndpoint(registry, properties.getShowStackTraces(), properties.getRoles());
		}

	}

}
