package dev.eventloop.spring.autoconfigure;

import java.util.concurrent.TimeUnit;

import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link EventLoopHealthContributorAutoConfiguration}: the {@code eventLoops}
 * health contributor.
 */
class EventLoopHealthContributorAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EventLoopAutoConfiguration.class,
				EventLoopHealthContributorAutoConfiguration.class, EventLoopEndpointAutoConfiguration.class,
				EventLoopMetricsAutoConfiguration.class, HealthContributorAutoConfiguration.class,
				EndpointAutoConfiguration.class, MetricsAutoConfiguration.class,
				SimpleMetricsExportAutoConfiguration.class))
		.withPropertyValues("eventloop.loops.orders.threads=2", "eventloop.loops.pricing.threads=1");

	@Test
	void runShouldCreateCompositeHealthContributorWithOneComponentPerLoop() {
		this.contextRunner.run((context) -> {
			CompositeHealthContributor contributor = context.getBean("eventLoopsHealthContributor",
					CompositeHealthContributor.class);
			assertThat(contributor.stream().map((entry) -> entry.name())).containsExactly("orders-0", "orders-1",
					"pricing");
			HealthContributor pricing = contributor.getContributor("pricing");
			assertThat(((HealthIndicator) pricing).health().getStatus()).isEqualTo(Status.UP);
		});
	}

	@Test
	void runWhenHealthIndicatorDisabledShouldNotCreateContributor() {
		this.contextRunner.withPropertyValues("management.health.eventloops.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean("eventLoopsHealthContributor"));
	}

	@Test
	void runWithoutSpringBootHealthShouldBackOffAndStillRunLoops() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(EventLoopAutoConfiguration.class,
					EventLoopHealthContributorAutoConfiguration.class))
			.withPropertyValues("eventloop.loops.pricing.threads=1")
			.withClassLoader(new FilteredClassLoader("org.springframework.boot.health."))
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.hasSingleBean(EventLoopRegistry.class)
					.doesNotHaveBean("eventLoopsHealthContributor");
				EventLoop loop = context.getBean("pricing", EventLoop.class);
				assertThat(loop.submit(() -> Thread.currentThread().getName()).get(5, TimeUnit.SECONDS))
					.isEqualTo("pricing");
			});
	}

}
