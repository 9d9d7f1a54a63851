package dev.eventloop.spring.autoconfigure;

import java.util.concurrent.TimeUnit;

import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopRegistry;
import dev.eventloop.spring.actuate.EventLoopsEndpoint;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link EventLoopEndpointAutoConfiguration}: the {@code eventloops} endpoint.
 */
class EventLoopEndpointAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EventLoopAutoConfiguration.class,
				EventLoopHealthContributorAutoConfiguration.class, EventLoopEndpointAutoConfiguration.class,
				EventLoopMetricsAutoConfiguration.class, HealthContributorAutoConfiguration.class,
				EndpointAutoConfiguration.class, MetricsAutoConfiguration.class,
				SimpleMetricsExportAutoConfiguration.class))
		.withPropertyValues("eventloop.loops.orders.threads=2", "eventloop.loops.pricing.threads=1");

	@Test
	void runWhenEndpointNotExposedShouldNotCreateEndpoint() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(EventLoopsEndpoint.class));
	}

	@Test
	void runWhenEndpointExposedShouldCreateEndpoint() {
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=eventloops")
			.run((context) -> assertThat(context).hasSingleBean(EventLoopsEndpoint.class));
	}

	@Test
	void runWithoutActuatorShouldBackOffAndStillRunLoops() {
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(EventLoopAutoConfiguration.class, EventLoopEndpointAutoConfiguration.class))
			.withPropertyValues("eventloop.loops.pricing.threads=1")
			.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate."))
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.hasSingleBean(EventLoopRegistry.class)
					.doesNotHaveBean(EventLoopsEndpoint.class);
				EventLoop loop = context.getBean("pricing", EventLoop.class);
				assertThat(loop.submit(() -> Thread.currentThread().getName()).get(5, TimeUnit.SECONDS))
					.isEqualTo("pricing");
			});
	}

}
