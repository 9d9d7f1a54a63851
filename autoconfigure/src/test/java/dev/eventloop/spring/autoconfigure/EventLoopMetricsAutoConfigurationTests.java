package dev.eventloop.spring.autoconfigure;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopRegistry;
import dev.eventloop.spring.metrics.EventLoopMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link EventLoopMetricsAutoConfiguration}: the event loop meters.
 */
class EventLoopMetricsAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EventLoopAutoConfiguration.class,
				EventLoopHealthContributorAutoConfiguration.class, EventLoopEndpointAutoConfiguration.class,
				EventLoopMetricsAutoConfiguration.class, HealthContributorAutoConfiguration.class,
				EndpointAutoConfiguration.class, MetricsAutoConfiguration.class,
				SimpleMetricsExportAutoConfiguration.class))
		.withPropertyValues("eventloop.loops.orders.threads=2", "eventloop.loops.pricing.threads=1");

	@Test
	void runShouldRegisterMetersTaggedWithLoopAndGroup() {
		this.contextRunner.run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(context).hasSingleBean(EventLoopMetrics.class);
			EventLoop loop = context.getBean("orders-1", EventLoop.class);
			loop.submit(() -> "done").get(5, TimeUnit.SECONDS);
			assertThat(registry.get("eventloop.tasks.submitted")
				.tags("loop", "orders-1", "group", "orders")
				.functionCounter()
				.count()).isEqualTo(1.0);
			assertThat(registry.get("eventloop.tasks.completed").tags("loop", "orders-1").functionCounter().count())
				.isEqualTo(1.0);
			assertThat(registry.get("eventloop.queue.size").tags("loop", "pricing", "group", "pricing").gauge())
				.isNotNull();
			assertThat(registry.get("eventloop.lag").tags("loop", "orders-0").timer()).isNotNull();
			assertThat(registry.get("eventloop.stalled").tags("loop", "orders-0").gauge().value()).isZero();
		});
	}

	@Test
	void metersOfALoopAreRemovedWhenItTerminates() {
		this.contextRunner.run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			EventLoop loop = context.getBean("pricing", EventLoop.class);
			assertThat(registry.find("eventloop.tasks.submitted").tags("loop", "pricing").meters()).hasSize(1);
			loop.shutdownGracefully(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
			// removal runs as a dependent of the termination,
			// possibly just after the caller sees the loop terminated
			await().atMost(Duration.ofSeconds(10))
				.until(() -> registry.find("eventloop.tasks.submitted").tags("loop", "pricing").meters().isEmpty());
			assertThat(registry.find("eventloop.lag").tags("loop", "pricing").meters()).isEmpty();
			assertThat(registry.find("eventloop.tasks.submitted").tags("loop", "orders-0").meters()).hasSize(1);
		});
	}

	@Test
	void runWithoutMicrometerShouldBackOffAndStillRunLoops() {
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(EventLoopAutoConfiguration.class, EventLoopMetricsAutoConfiguration.class))
			.withPropertyValues("eventloop.loops.pricing.threads=1")
			.withClassLoader(new FilteredClassLoader("io.micrometer.core."))
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.hasSingleBean(EventLoopRegistry.class)
					.doesNotHaveBean(EventLoopMetrics.class);
				EventLoop loop = context.getBean("pricing", EventLoop.class);
				assertThat(loop.submit(() -> Thread.currentThread().getName()).get(5, TimeUnit.SECONDS))
					.isEqualTo("pricing");
			});
	}

}
