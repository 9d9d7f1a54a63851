package dev.eventloop.spring.autoconfigure;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.eventloop.AsyncContext;
import dev.eventloop.EventLoop;
import dev.eventloop.spring.OnEventLoop;
import dev.eventloop.spring.autoconfigure.scheduling.EventLoopSchedulingAutoConfiguration;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.integration.Slf4jThreadLocalAccessor;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What one task writes in the logging MDC never reaches the next task on its loop: every
 * way work reaches a loop starts with exactly the context propagated to it (here the
 * registered {@code requestId}), or an empty MDC, and leaves nothing behind.
 */
class MdcIsolationTests {

	private static final long TIMEOUT_SECONDS = 10;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EventLoopAutoConfiguration.class, OnEventLoopAutoConfiguration.class,
				EventLoopSchedulingAutoConfiguration.class, TaskSchedulingAutoConfiguration.class))
		.withUserConfiguration(MdcConfiguration.class)
		.withPropertyValues("eventloop.loops.work=");

	@BeforeAll
	static void registerMdcAccessor() {
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
	void whatAnAsyncContextTaskWritesDoesNotReachTheNextOnEventLoopCall() {
		this.contextRunner.run((context) -> {
			EventLoop work = context.getBean("work", EventLoop.class);
			AsyncContext async = context.getBean(AsyncContext.class);
			async.execute(work, () -> MDC.put("user", "carol"));
			assertThat(context.getBean(MdcService.class).seen().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEmpty();
		});
	}

	@Test
	void whatAnOnEventLoopMethodWritesDoesNotReachTheNextDispatch() {
		this.contextRunner.run((context) -> {
			EventLoop work = context.getBean("work", EventLoop.class);
			MdcService service = context.getBean(MdcService.class);
			service.write("user", "carol").get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
			assertThat(context.getBean(AsyncContext.class)
				.dispatch(work, MdcIsolationTests::mdc)
				.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEmpty();
		});
	}

	@Test
	void whatARawTaskWritesDoesNotReachAnAsyncMethod() {
		this.contextRunner.run((context) -> {
			EventLoop work = context.getBean("work", EventLoop.class);
			work.execute(() -> MDC.put("user", "carol"));
			assertThat(context.getBean(MdcService.class).asyncSeen().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEmpty();
			// and the loop thread itself holds nothing between tasks
			assertThat(work.submit(MdcIsolationTests::mdc).get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEmpty();
		});
	}

	@Test
	void aScheduledTaskStartsEmptyAndLeavesNothingBehind() {
		this.contextRunner.run((context) -> {
			EventLoop work = context.getBean("work", EventLoop.class);
			MdcService service = context.getBean(MdcService.class);
			// the scheduled task runs every few milliseconds; a task before it writes
			work.execute(() -> MDC.put("user", "carol"));
			assertThat(service.scheduledRuns().await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
			assertThat(service.scheduledSaw()).isEmpty();
			assertThat(work.submit(MdcIsolationTests::mdc).get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEmpty();
		});
	}

	@Test
	void aTaskSeesExactlyWhatWasPropagatedToIt() {
		this.contextRunner.run((context) -> {
			EventLoop work = context.getBean("work", EventLoop.class);
			work.execute(() -> MDC.put("user", "carol"));
			MDC.put("requestId", "r-7");
			MDC.put("unregistered", "stays with the caller");
			Map<String, String> seen = context.getBean(MdcService.class).seen().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
			assertThat(seen).containsExactly(Map.entry("requestId", "r-7"));
			assertThat(work.submit(MdcIsolationTests::mdc).get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEmpty();
		});
	}

	@Test
	void anInlineCallRunsInsideItsCallersTaskAndSeesItsMdc() {
		this.contextRunner.run((context) -> {
			EventLoop work = context.getBean("work", EventLoop.class);
			MdcService service = context.getBean(MdcService.class);
			Map<String, String> seenInline = work.submit(() -> {
				MDC.put("user", "carol");
				return service.seen().join();
			}).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
			assertThat(seenInline).containsExactly(Map.entry("user", "carol"));
			assertThat(work.submit(MdcIsolationTests::mdc).get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEmpty();
		});
	}

	@Test
	void withoutSlf4jNothingIsRegistered() {
		this.contextRunner
			.withClassLoader(new org.springframework.boot.test.context.FilteredClassLoader("org.slf4j.MDC"))
			.run((context) -> assertThat(context).doesNotHaveBean("eventLoopMdcIsolation"));
		this.contextRunner.run((context) -> assertThat(context).hasBean("eventLoopMdcIsolation"));
	}

	static Map<String, String> mdc() {
		@Nullable Map<String, String> copy = MDC.getCopyOfContextMap();
		return (copy != null) ? copy : Map.of();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAsync
	@EnableScheduling
	static class MdcConfiguration {

		@Bean
		MdcService mdcService() {
			return new MdcService();
		}

	}

	public static class MdcService {

		final CountDownLatch scheduledRuns = new CountDownLatch(3);

		final Map<String, String> scheduledSaw = new java.util.concurrent.ConcurrentHashMap<>();

		// read through the proxy, whose own fields are not the target's
		public CountDownLatch scheduledRuns() {
			return this.scheduledRuns;
		}

		public Map<String, String> scheduledSaw() {
			return this.scheduledSaw;
		}

		@OnEventLoop("work")
		public CompletableFuture<Map<String, String>> seen() {
			return CompletableFuture.completedFuture(mdc());
		}

		@OnEventLoop("work")
		public CompletableFuture<Void> write(String key, String value) {
			MDC.put(key, value);
			return CompletableFuture.completedFuture(null);
		}

		@Async("work")
		public CompletableFuture<Map<String, String>> asyncSeen() {
			return CompletableFuture.completedFuture(mdc());
		}

		@Scheduled(fixedDelay = 5, scheduler = "work")
		public void scheduled() {
			this.scheduledSaw.putAll(mdc());
			MDC.put("scheduled", "left behind");
			this.scheduledRuns.countDown();
		}

	}

}
