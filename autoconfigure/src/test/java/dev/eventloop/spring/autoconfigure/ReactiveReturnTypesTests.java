package dev.eventloop.spring.autoconfigure;

import java.time.Duration;
import java.util.List;

import dev.eventloop.EventLoop;
import dev.eventloop.spring.Offload;
import dev.eventloop.spring.OnEventLoop;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.ReactiveAdapterRegistry;
import org.springframework.core.ReactiveTypeDescriptor;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code @OnEventLoop} and {@code @Offload} methods return any type that Spring's
 * {@link ReactiveAdapterRegistry} knows, not only {@code Mono}.
 */
class ReactiveReturnTypesTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	static {
		// a reactive type of the application's own, known to Spring's shared registry as
		// RxJava's and Kotlin's types are when their adapters are present
		ReactiveAdapterRegistry.getSharedInstance()
			.registerReactiveType(ReactiveTypeDescriptor.multiValue(Batch.class, () -> new Batch(Flux.empty())),
					(batch) -> ((Batch) batch).publisher(), Batch::new);
	}

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EventLoopAutoConfiguration.class, OnEventLoopAutoConfiguration.class))
		.withUserConfiguration(ServiceConfiguration.class);

	@Test
	void fluxMethodShouldRunOnTheLoopWhenSubscribed() {
		this.contextRunner.run((context) -> {
			ReactiveService service = context.getBean(ReactiveService.class);
			Flux<String> names = service.names();
			assertThat(service.calls()).isZero();
			assertThat(names.collectList().block(TIMEOUT)).containsExactly("default", "default");
			assertThat(service.calls()).isOne();
		});
	}

	@Test
	void monoMethodShouldRunOnTheLoop() {
		this.contextRunner.run((context) -> assertThat(context.getBean(ReactiveService.class).name().block(TIMEOUT))
			.isEqualTo("default"));
	}

	@Test
	void typeKnownToTheAdapterRegistryShouldRunOnTheLoop() {
		this.contextRunner.run((context) -> {
			Batch batch = context.getBean(ReactiveService.class).batch();
			assertThat(Flux.from(batch.publisher()).collectList().block(TIMEOUT)).isEqualTo(List.of("default"));
		});
	}

	@Test
	void offloadedFluxShouldRunOffTheLoops() {
		this.contextRunner.run(
				(context) -> assertThat(context.getBean(ReactiveService.class).offloaded().collectList().block(TIMEOUT))
					.containsExactly(false));
	}

	record Batch(Publisher<?> publisher) {
	}

	@Configuration(proxyBeanMethods = false)
	static class ServiceConfiguration {

		@Bean
		ReactiveService reactiveService() {
			return new ReactiveService();
		}

	}

	static class ReactiveService {

		// written on the loop, read by the test after the loop's result arrived
		volatile int calls;

		public int calls() {
			return this.calls;
		}

		private static String loop() {
			return EventLoop.current().map(EventLoop::name).orElse("none");
		}

		@OnEventLoop
		public Flux<String> names() {
			this.calls++;
			String loop = loop();
			return Flux.just(loop, loop);
		}

		@OnEventLoop
		public Mono<String> name() {
			return Mono.just(loop());
		}

		@OnEventLoop
		public Batch batch() {
			return new Batch(Flux.just(loop()));
		}

		@Offload
		public Flux<Boolean> offloaded() {
			return Flux.just(EventLoop.current().isPresent());
		}

	}

}
