package dev.eventloop.spring.reliability;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import dev.eventloop.spring.autoconfigure.EventLoopAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The loops beside Boot's task execution: loop beans are
 * {@link java.util.concurrent.Executor}s, yet Boot's {@code applicationTaskExecutor} is
 * still created, whichever order the two auto-configurations are listed in, and it still
 * serves {@code @Async} without a qualifier.
 */
class ApplicationTaskExecutorTests {

	private static final long TIMEOUT_SECONDS = 10;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner().withPropertyValues(
			"eventloop.loops.orders.threads=2", "eventloop.loops.pricing.threads=1",
			"spring.task.execution.thread-name-prefix=app-task-");

	@Test
	void applicationTaskExecutorIsBootsWhenTheLoopsAreListedFirst() {
		this.contextRunner
			.withConfiguration(
					AutoConfigurations.of(EventLoopAutoConfiguration.class, TaskExecutionAutoConfiguration.class))
			.run(this::assertBootsExecutorBesideTheLoops);
	}

	@Test
	void applicationTaskExecutorIsBootsWhenTheLoopsAreListedLast() {
		this.contextRunner
			.withConfiguration(
					AutoConfigurations.of(TaskExecutionAutoConfiguration.class, EventLoopAutoConfiguration.class))
			.run(this::assertBootsExecutorBesideTheLoops);
	}

	@Test
	void asyncWithoutQualifierRunsOnBootsExecutorAndWithALoopsNameOnThatLoop() {
		this.contextRunner
			.withConfiguration(
					AutoConfigurations.of(EventLoopAutoConfiguration.class, TaskExecutionAutoConfiguration.class))
			.withUserConfiguration(AsyncConfiguration.class)
			.run((context) -> {
				AsyncService service = context.getBean(AsyncService.class);
				assertThat(service.unqualified().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).startsWith("app-task-");
				assertThat(service.onPricing().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("pricing");
			});
	}

	private void assertBootsExecutorBesideTheLoops(AssertableApplicationContext context) {
		assertThat(context).hasNotFailed().hasBean("applicationTaskExecutor");
		assertThat(context.getBean("applicationTaskExecutor")).isInstanceOfAny(ThreadPoolTaskExecutor.class,
				SimpleAsyncTaskExecutor.class);
		assertThat(context.getBean("orders", EventLoopGroup.class).size()).isEqualTo(2);
		assertThat(context.getBean("orders-1", EventLoop.class).name()).isEqualTo("orders-1");
		assertThat(context.getBean("pricing", EventLoop.class).name()).isEqualTo("pricing");
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAsync
	static class AsyncConfiguration {

		@Bean
		AsyncService asyncService() {
			return new AsyncService();
		}

	}

	static class AsyncService {

		@Async
		public CompletableFuture<String> unqualified() {
			return CompletableFuture.completedFuture(Thread.currentThread().getName());
		}

		@Async("pricing")
		public CompletableFuture<String> onPricing() {
			return CompletableFuture.completedFuture(Thread.currentThread().getName());
		}

	}

}
