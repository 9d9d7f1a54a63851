package dev.eventloop.spring.autoconfigure.scheduling;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.eventloop.EventLoop;
import dev.eventloop.spring.autoconfigure.EventLoopAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.aop.interceptor.AsyncUncaughtExceptionHandler;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.TaskDecorator;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.AsyncConfigurer;
import org.springframework.scheduling.annotation.EnableAsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class AsyncOnEventLoopTests {

	private static final long TIMEOUT_SECONDS = 10;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EventLoopAutoConfiguration.class,
				EventLoopSchedulingAutoConfiguration.class, TaskExecutionAutoConfiguration.class))
		.withUserConfiguration(AsyncConfiguration.class, UncaughtExceptionConfiguration.class)
		.withPropertyValues("eventloop.loops.ledger.threads=2", "eventloop.loops.settlement=",
				"spring.task.execution.thread-name-prefix=app-task-");

	@Test
	void asyncNamingALoopShouldRunOnThatLoopWithTheTaskDecorators() {
		this.contextRunner.run((context) -> {
			AsyncService service = context.getBean(AsyncService.class);
			assertThat(service.settle().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("settlement decorated");
		});
	}

	@Test
	void asyncNamingAGroupShouldRunOnItsLoopsInTurn() {
		this.contextRunner.run((context) -> {
			AsyncService service = context.getBean(AsyncService.class);
			Set<String> loops = new HashSet<>();
			for (int i = 0; i < 4; i++) {
				loops.add(service.record().get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
			}
			assertThat(loops).containsExactlyInAnyOrder("ledger-0 decorated", "ledger-1 decorated");
		});
	}

	@Test
	void asyncReturningAFutureShouldCompleteWithTheMethodsResult() {
		this.contextRunner.run((context) -> assertThat(
				context.getBean(AsyncService.class).recordAsFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
			.startsWith("ledger-"));
	}

	@Test
	void asyncThatThrowsShouldFailItsFuture() {
		this.contextRunner.run((context) -> assertThatExceptionOfType(ExecutionException.class)
			.isThrownBy(() -> context.getBean(AsyncService.class).reject().get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
			.withCauseInstanceOf(IllegalArgumentException.class)
			.withMessageContaining("rejected on settlement"));
	}

	@Test
	void asyncVoidThatThrowsShouldReachTheAsyncUncaughtExceptionHandler() {
		this.contextRunner.run((context) -> {
			CompletableFuture<Throwable> uncaught = new CompletableFuture<>();
			UncaughtExceptionConfiguration.uncaught = uncaught;
			context.getBean(AsyncService.class).fireAndFail();
			Throwable failure = uncaught.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
			assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessage("failed on settlement");
		});
	}

	@Test
	void asyncCalledOnItsOwnLoopShouldRunInline() {
		this.contextRunner.run((context) -> {
			AsyncService service = context.getBean(AsyncService.class);
			EventLoop settlement = context.getBean("settlement", EventLoop.class);
			assertThat(settlement.submit(() -> service.settle().isDone()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
				.isTrue();
		});
	}

	@Test
	void asyncWithoutQualifierShouldStayOnBootsApplicationTaskExecutor() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasBean("applicationTaskExecutor");
			assertThat(context.getBean(AsyncService.class).unqualified().get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
				.startsWith("app-task-");
		});
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAsync
	static class AsyncConfiguration {

		@Bean
		AsyncService asyncService() {
			return new AsyncService();
		}

		@Bean
		TaskDecorator markingTaskDecorator() {
			return (task) -> () -> {
				AsyncService.decorated.set(true);
				try {
					task.run();
				}
				finally {
					AsyncService.decorated.remove();
				}
			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UncaughtExceptionConfiguration implements AsyncConfigurer {

		// the test that expects a failure sets it before the call
		static volatile CompletableFuture<Throwable> uncaught = new CompletableFuture<>();

		@Override
		public AsyncUncaughtExceptionHandler getAsyncUncaughtExceptionHandler() {
			return (ex, method, params) -> uncaught.complete(ex);
		}

	}

	static class AsyncService {

		static final ThreadLocal<Boolean> decorated = ThreadLocal.withInitial(() -> false);

		private static String where() {
			return Thread.currentThread().getName() + (decorated.get() ? " decorated" : "");
		}

		@Async("settlement")
		public CompletableFuture<String> settle() {
			return CompletableFuture.completedFuture(where());
		}

		@Async("ledger")
		public CompletableFuture<String> record() {
			return CompletableFuture.completedFuture(where());
		}

		@Async("ledger")
		public Future<String> recordAsFuture() {
			return CompletableFuture.completedFuture(Thread.currentThread().getName());
		}

		@Async("settlement")
		public CompletableFuture<String> reject() {
			throw new IllegalArgumentException("rejected on " + Thread.currentThread().getName());
		}

		@Async("settlement")
		public void fireAndFail() {
			throw new IllegalStateException("failed on " + Thread.currentThread().getName());
		}

		@Async
		public CompletableFuture<String> unqualified() {
			return CompletableFuture.completedFuture(Thread.currentThread().getName());
		}

	}

}
