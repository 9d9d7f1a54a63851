package dev.eventloop.spring.autoconfigure;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.eventloop.CallableDecorator;
import dev.eventloop.EventLoop;
import dev.eventloop.spring.Offload;
import dev.eventloop.spring.OnEventLoop;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.integration.Slf4jThreadLocalAccessor;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

class ContextPropagationTests {

	private static final long TIMEOUT_SECONDS = 10;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EventLoopAutoConfiguration.class, OnEventLoopAutoConfiguration.class))
		.withUserConfiguration(ServiceConfiguration.class);

	@BeforeAll
	static void registerMdcAccessor() {
		// what an application does to carry its own MDC keys: the starter registers none
		ContextRegistry.getInstance().registerThreadLocalAccessor(new Slf4jThreadLocalAccessor("requestId"));
	}

	@AfterAll
	static void removeMdcAccessor() {
		ContextRegistry.getInstance().removeThreadLocalAccessor(Slf4jThreadLocalAccessor.KEY);
	}

	@AfterEach
	void clearMdc() {
		MDC.clear();
	}

	@Test
	void mdcOfTheCallerShouldBeVisibleOnTheLoopAndGoneAfterTheTask() {
		this.contextRunner.run((context) -> {
			ContextService service = context.getBean(ContextService.class);
			EventLoop loop = context.getBean(EventLoop.class);
			MDC.put("requestId", "r-42");
			assertThat(service.requestId().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("r-42 on default");
			// a task queued straight on the loop is not decorated: it sees the loop
			// thread's own MDC, which must be empty again
			assertThat(loop.submit(() -> MDC.get("requestId")).get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isNull();
		});
	}

	@Test
	void mdcOfTheCallerShouldNotLeakIntoTheNextCallersTask() {
		this.contextRunner.run((context) -> {
			ContextService service = context.getBean(ContextService.class);
			MDC.put("requestId", "r-1");
			assertThat(service.requestId().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("r-1 on default");
			MDC.clear();
			assertThat(service.requestId().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("null on default");
		});
	}

	@Test
	void mdcOfTheCallerShouldBeVisibleInOffloadedWork() {
		this.contextRunner.run((context) -> {
			MDC.put("requestId", "r-7");
			assertThat(
					context.getBean(ContextService.class).offloadedRequestId().get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
				.isEqualTo("r-7");
		});
	}

	@Test
	void currentObservationShouldBeVisibleOnTheLoop() {
		this.contextRunner.run((context) -> {
			ContextService service = context.getBean(ContextService.class);
			ObservationRegistry registry = ObservationRegistry.create();
			registry.observationConfig().observationHandler((observationContext) -> true);
			Observation observation = Observation.createNotStarted("checkout", registry);
			String seen = observation.observe(() -> service.observationName(registry).join());
			assertThat(seen).isEqualTo("checkout");
			assertThat(service.observationName(registry).get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("none");
		});
	}

	@Test
	void propagationSwitchedOffShouldRegisterNoDecorator() {
		this.contextRunner.withPropertyValues("eventloop.propagate-context=false").run((context) -> {
			assertThat(context).doesNotHaveBean(CallableDecorator.class);
			MDC.put("requestId", "r-9");
			assertThat(context.getBean(ContextService.class).requestId().get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
				.isEqualTo("null on default");
		});
	}

	@Test
	void withoutContextPropagationLibraryNoDecoratorShouldBeRegistered() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(EventLoopAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader("io.micrometer.context"))
			.run((context) -> assertThat(context).doesNotHaveBean(CallableDecorator.class));
	}

	static class ContextService {

		@OnEventLoop
		public CompletableFuture<String> requestId() {
			return CompletableFuture.completedFuture(
					MDC.get("requestId") + " on " + EventLoop.current().map(EventLoop::name).orElse("no loop"));
		}

		@Offload
		public CompletableFuture<String> offloadedRequestId() {
			return CompletableFuture.completedFuture(MDC.get("requestId"));
		}

		@OnEventLoop
		public CompletableFuture<String> observationName(ObservationRegistry registry) {
			Observation current = registry.getCurrentObservation();
			return CompletableFuture.completedFuture((current != null) ? current.getContext().getName() : "none");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ServiceConfiguration {

		@Bean
		ContextService contextService() {
			return new ContextService();
		}

	}

}
