package dev.eventloop.spring.autoconfigure.observation;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import dev.eventloop.AsyncContext;
import dev.eventloop.EventLoop;
import dev.eventloop.spring.OnEventLoop;
import dev.eventloop.spring.autoconfigure.EventLoopAutoConfiguration;
import dev.eventloop.spring.autoconfigure.OnEventLoopAutoConfiguration;
import dev.eventloop.spring.observation.EventLoopTaskContext;
import dev.eventloop.spring.observation.EventLoopTaskObservations;
import dev.eventloop.spring.observation.EventLoopTaskQueueWaitHandler;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

class EventLoopObservationAutoConfigurationTests {

	private static final long TIMEOUT_SECONDS = 10;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EventLoopAutoConfiguration.class, OnEventLoopAutoConfiguration.class,
				EventLoopObservationAutoConfiguration.class))
		.withUserConfiguration(ObservedConfiguration.class)
		.withPropertyValues("eventloop.loops.pricing=");

	@Test
	void observationsShouldBeOffByDefault() {
		this.contextRunner.run((context) -> {
			assertThat(context).doesNotHaveBean(EventLoopTaskObservations.class);
			context.getBean(ObservedService.class).price().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
			assertThat(context.getBean(ObservedConfiguration.class).stopped).isEmpty();
		});
	}

	@Test
	void queuedTaskShouldBeObservedAsAChildOfTheCallersObservation() {
		this.contextRunner.withPropertyValues("eventloop.observations.enabled=true").run((context) -> {
			ObservationRegistry registry = context.getBean(ObservationRegistry.class);
			ObservedService service = context.getBean(ObservedService.class);
			Observation request = Observation.start("request", registry);
			try (Observation.Scope scope = request.openScope()) {
				assertThat(service.price().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("pricing");
			}
			finally {
				request.stop();
			}
			List<Observation.Context> stopped = context.getBean(ObservedConfiguration.class).stopped;
			assertThat(stopped).filteredOn((c) -> c.getName().equals("eventloop.task"))
				.singleElement()
				.satisfies((task) -> {
					assertThat(task).isInstanceOf(EventLoopTaskContext.class);
					assertThat(task.getLowCardinalityKeyValue("loop").getValue()).isEqualTo("pricing");
					assertThat(task.getLowCardinalityKeyValue("group").getValue()).isEqualTo("pricing");
					assertThat(task.getLowCardinalityKeyValue("mode").getValue()).isEqualTo("queued");
					assertThat(task.getLowCardinalityKeyValue("outcome").getValue()).isEqualTo("success");
					assertThat(task.getParentObservation()).isSameAs(request);
					assertThat(((EventLoopTaskContext) task).getQueueWait().isNegative()).isFalse();
				});
		});
	}

	@Test
	void inlineTaskShouldBeObservedAsInline() {
		this.contextRunner.withPropertyValues("eventloop.observations.enabled=true").run((context) -> {
			ObservedService service = context.getBean(ObservedService.class);
			EventLoop pricing = context.getBean("pricing", EventLoop.class);
			assertThat(pricing.submit(() -> service.price().join()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
				.isEqualTo("pricing");
			assertThat(context.getBean(ObservedConfiguration.class).stopped)
				.filteredOn((c) -> c.getName().equals("eventloop.task"))
				.singleElement()
				.satisfies((task) -> assertThat(task.getLowCardinalityKeyValue("mode").getValue()).isEqualTo("inline"));
		});
	}

	@Test
	void failedTaskShouldBeObservedWithItsError() {
		this.contextRunner.withPropertyValues("eventloop.observations.enabled=true").run((context) -> {
			AsyncContext asyncContext = context.getBean(AsyncContext.class);
			EventLoop pricing = context.getBean("pricing", EventLoop.class);
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> asyncContext.dispatch(pricing, () -> {
				throw new IllegalStateException("no price");
			}).get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
			assertThat(context.getBean(ObservedConfiguration.class).stopped).singleElement().satisfies((task) -> {
				assertThat(task.getLowCardinalityKeyValue("outcome").getValue()).isEqualTo("failure");
				assertThat(task.getError()).hasMessage("no price");
			});
		});
	}

	@Test
	void queueWaitShouldBeRecordedWhenThereIsAMeterRegistry() {
		this.contextRunner.withBean(SimpleMeterRegistry.class)
			.withPropertyValues("eventloop.observations.enabled=true")
			.run((context) -> {
				assertThat(context).hasSingleBean(EventLoopTaskQueueWaitHandler.class);
				ObservationRegistry registry = context.getBean(ObservationRegistry.class);
				registry.observationConfig().observationHandler(context.getBean(EventLoopTaskQueueWaitHandler.class));
				context.getBean(ObservedService.class).price().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
				MeterRegistry meters = context.getBean(MeterRegistry.class);
				await().atMost(TIMEOUT_SECONDS, TimeUnit.SECONDS)
					.untilAsserted(() -> assertThat(meters.get("eventloop.task.queue.wait")
						.tags("loop", "pricing", "group", "pricing", "mode", "queued")
						.timer()
						.count()).isEqualTo(1));
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class ObservedConfiguration {

		final List<Observation.Context> stopped = new CopyOnWriteArrayList<>();

		@Bean
		ObservationRegistry observationRegistry() {
			ObservationRegistry registry = ObservationRegistry.create();
			registry.observationConfig().observationHandler(new ObservationHandler<>() {

				@Override
				public void onStop(Observation.Context context) {
					if (context.getName().equals("eventloop.task")) {
						ObservedConfiguration.this.stopped.add(context);
					}
				}

				@Override
				public boolean supportsContext(Observation.Context context) {
					return true;
				}

			});
			return registry;
		}

		@Bean
		ObservedService observedService() {
			return new ObservedService();
		}

	}

	static class ObservedService {

		@OnEventLoop("pricing")
		public CompletableFuture<String> price() {
			return CompletableFuture.completedFuture(EventLoop.current().map(EventLoop::name).orElse("none"));
		}

	}

}
