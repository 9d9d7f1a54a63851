package dev.eventloop.spring.aop;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.eventloop.AsyncContext;
import dev.eventloop.LoopFuture;
import dev.eventloop.spring.autoconfigure.EventLoopAutoConfiguration;
import dev.eventloop.spring.autoconfigure.EventLoopMetricsAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class OffloadExecutionTests {

	private static final long TIMEOUT_SECONDS = 10;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EventLoopAutoConfiguration.class));

	@Test
	void offloadShouldUsePlatformThreadsUnlessVirtualThreadsAreEnabled() {
		this.contextRunner.run((context) -> {
			OffloadExecution execution = context.getBean(OffloadExecution.class);
			assertThat(execution.isVirtual()).isFalse();
			String thread = context.getBean(AsyncContext.class)
				.offload(() -> Thread.currentThread().getName() + (isVirtual(Thread.currentThread()) ? " virtual" : ""))
				.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
			assertThat(thread).startsWith(OffloadExecution.THREAD_NAME_PREFIX).doesNotEndWith(" virtual");
		});
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21)
	void offloadShouldUseVirtualThreadsWhenBootEnablesThem() {
		this.contextRunner.withPropertyValues("spring.threads.virtual.enabled=true").run((context) -> {
			assertThat(context.getBean(OffloadExecution.class).isVirtual()).isTrue();
			assertThat(context.getBean(AsyncContext.class)
				.offload(() -> isVirtual(Thread.currentThread()))
				.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
		});
	}

	@Test
	void offloadShouldRunAtMostMaxConcurrencyTasksAtOnce() {
		this.contextRunner.withPropertyValues("eventloop.offload.max-concurrency=2").run(this::assertLimitOfTwo);
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21)
	void offloadOnVirtualThreadsShouldRunAtMostMaxConcurrencyTasksAtOnce() {
		this.contextRunner
			.withPropertyValues("eventloop.offload.max-concurrency=2", "spring.threads.virtual.enabled=true")
			.run(this::assertLimitOfTwo);
	}

	@Test
	void offloadShouldHaveItsOwnMeters() {
		this.contextRunner
			.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
					SimpleMetricsExportAutoConfiguration.class, EventLoopMetricsAutoConfiguration.class))
			.withBean(SimpleMeterRegistry.class)
			.withPropertyValues("eventloop.offload.max-concurrency=3")
			.run((context) -> {
				context.getBean(AsyncContext.class).offload(() -> "done").get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				await().atMost(TIMEOUT_SECONDS, TimeUnit.SECONDS)
					.untilAsserted(
							() -> assertThat(registry.get("eventloop.offload.completed").functionCounter().count())
								.isEqualTo(1.0));
				assertThat(registry.get("eventloop.offload.active").gauge().value()).isZero();
				assertThat(registry.get("eventloop.offload.queued").gauge().value()).isZero();
				assertThat(registry.get("eventloop.offload.max-concurrency").gauge().value()).isEqualTo(3.0);
			});
	}

	private void assertLimitOfTwo(org.springframework.boot.test.context.assertj.AssertableApplicationContext context)
			throws Exception {
		AsyncContext asyncContext = context.getBean(AsyncContext.class);
		OffloadExecution execution = context.getBean(OffloadExecution.class);
		CountDownLatch release = new CountDownLatch(1);
		List<LoopFuture<Boolean>> tasks = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			tasks.add(asyncContext.offload(() -> release.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)));
		}
		await().atMost(TIMEOUT_SECONDS, TimeUnit.SECONDS).untilAsserted(() -> {
			assertThat(execution.active()).isEqualTo(2);
			assertThat(execution.waiting()).isEqualTo(3);
		});
		release.countDown();
		CompletableFuture.allOf(tasks.toArray(CompletableFuture[]::new)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
		assertThat(tasks).allMatch((task) -> task.join());
		// counted once the task has returned, just after it completed its future
		await().atMost(TIMEOUT_SECONDS, TimeUnit.SECONDS)
			.untilAsserted(() -> assertThat(execution.completed()).isEqualTo(5));
	}

	private static boolean isVirtual(Thread thread) {
		try {
			return (boolean) Thread.class.getMethod("isVirtual").invoke(thread);
		}
		catch (ReflectiveOperationException ex) {
			return false;
		}
	}

}
