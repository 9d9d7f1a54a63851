package dev.eventloop.spring.autoconfigure;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

import dev.eventloop.spring.OnEventLoop;
import dev.eventloop.spring.aop.InvalidEventLoopMethodException;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attacks on {@code @OnEventLoop(key = ..., sequential = true)} as
 * {@code docs/dispatch.md} ("One at a time per key") describes it.
 */
class AttackSequentialOnEventLoopTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EventLoopAutoConfiguration.class, OnEventLoopAutoConfiguration.class))
		.withPropertyValues("eventloop.loops.accounts.threads=2");

	/**
	 * "Startup fails for sequential = true ... on a method that returns no
	 * CompletableFuture or CompletionStage": also when the declared type is
	 * {@code Object} (returning a future at run time), {@code Mono} or {@code void}.
	 */
	@Test
	void sequentialOnMethodsReturningObjectMonoOrVoidFailsStartupNamingTheMethod() {
		for (Class<?> configuration : List.of(ObjectConfiguration.class, MonoConfiguration.class,
				VoidConfiguration.class)) {
			this.contextRunner.withUserConfiguration(configuration)
				.run((context) -> assertThat(context).as(configuration.getSimpleName())
					.getFailure()
					.rootCause()
					.isInstanceOf(InvalidEventLoopMethodException.class)
					.hasMessageContaining(".write(String)")
					.hasMessageContaining("CompletableFuture or CompletionStage"));
		}
	}

	/**
	 * The same rule for a method declared to return {@link Future}, which is neither a
	 * CompletableFuture nor a CompletionStage: the call cannot wait for a plain Future (a
	 * {@code FutureTask} from an executor, say) without blocking, so startup must fail
	 * rather than let such calls of one key overlap.
	 */
	@Test
	void sequentialOnAMethodDeclaredToReturnAPlainFutureFailsStartup() {
		this.contextRunner.withUserConfiguration(FutureConfiguration.class)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidEventLoopMethodException.class)
				.hasMessageContaining(".write(String)")
				.hasMessageContaining("CompletableFuture or CompletionStage"));
	}

	public static class ObjectWriter {

		@OnEventLoop(value = "accounts", key = "#p0", sequential = true)
		public Object write(String account) {
			return CompletableFuture.completedFuture(account);
		}

	}

	public static class FutureWriter {

		@OnEventLoop(value = "accounts", key = "#p0", sequential = true)
		public Future<String> write(String account) {
			// not yet run, as one submitted to a busy executor
			return new FutureTask<>(() -> account);
		}

	}

	public static class MonoWriter {

		@OnEventLoop(value = "accounts", key = "#p0", sequential = true)
		public Mono<String> write(String account) {
			return Mono.just(account);
		}

	}

	public static class VoidWriter {

		@OnEventLoop(value = "accounts", key = "#p0", sequential = true)
		public void write(String account) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ObjectConfiguration {

		@Bean
		ObjectWriter objectWriter() {
			return new ObjectWriter();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class FutureConfiguration {

		@Bean
		FutureWriter futureWriter() {
			return new FutureWriter();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class MonoConfiguration {

		@Bean
		MonoWriter monoWriter() {
			return new MonoWriter();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class VoidConfiguration {

		@Bean
		VoidWriter voidWriter() {
			return new VoidWriter();
		}

	}

}
