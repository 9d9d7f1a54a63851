package dev.eventloop.spring.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import dev.eventloop.spring.OnEventLoop;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attacks on MDC isolation: many interleaved keyed calls from several threads on a
 * two-loop group, and an application customizer with its own after-each-task action.
 */
class AttackMdcTests {

	private static final long TIMEOUT_SECONDS = 30;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EventLoopAutoConfiguration.class, OnEventLoopAutoConfiguration.class))
		.withUserConfiguration(ServiceConfiguration.class)
		.withPropertyValues("eventloop.loops.work.threads=2");

	@AfterEach
	void clearMdc() {
		MDC.clear();
	}

	@Test
	void interleavedKeyedCallsFromSeveralThreadsNeverSeeAnotherTasksMdc() throws Exception {
		this.contextRunner.run((context) -> {
			MdcWriter writer = context.getBean(MdcWriter.class);
			assertThat(context.getBean("work", EventLoopGroup.class).loops()).hasSize(2);
			ExecutorService callers = Executors.newFixedThreadPool(4);
			try {
				List<Future<List<Map<String, String>>>> results = new ArrayList<>();
				for (int t = 0; t < 4; t++) {
					int thread = t;
					results.add(callers.submit(() -> {
						List<CompletableFuture<Map<String, String>>> calls = new ArrayList<>();
						for (int i = 0; i < 500; i++) {
							// the caller's own MDC is not propagated (no accessor
							// registered)
							MDC.put("caller", "t" + thread);
							calls.add(writer.write("key-" + (i % 7), "t" + thread + "-" + i));
						}
						List<Map<String, String>> seen = new ArrayList<>();
						for (CompletableFuture<Map<String, String>> call : calls) {
							seen.add(call.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
						}
						return seen;
					}));
				}
				for (Future<List<Map<String, String>>> result : results) {
					assertThat(result.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).hasSize(500)
						.allSatisfy((seen) -> assertThat(seen).isEmpty());
				}
			}
			finally {
				callers.shutdownNow();
			}
		});
	}

	/**
	 * docs/spring-integration.md: a customizer of the application's own that sets another
	 * afterEachTask action replaces the MDC clearing (the starter's customizer is
	 * {@code @Order(0)}, an unordered application bean runs after it).
	 */
	@Test
	void anApplicationCustomizerWithItsOwnActionReplacesTheMdcClearing() {
		this.contextRunner.withUserConfiguration(OwnActionConfiguration.class).run((context) -> {
			EventLoop loop = context.getBean("work", EventLoopGroup.class).loops().get(0);
			loop.execute(() -> MDC.put("user", "carol"));
			assertThat(loop.submit(AttackMdcTests::mdc).get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
				.containsExactly(Map.entry("user", "carol"));
			assertThat(OwnActionConfiguration.runs.get()).isPositive();
		});
	}

	static Map<String, String> mdc() {
		@Nullable Map<String, String> copy = MDC.getCopyOfContextMap();
		return (copy != null) ? copy : Map.of();
	}

	@Configuration(proxyBeanMethods = false)
	static class ServiceConfiguration {

		@Bean
		MdcWriter mdcWriter() {
			return new MdcWriter();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnActionConfiguration {

		static final java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();

		@Bean
		EventLoopGroupBuilderCustomizer ownAfterEachTask() {
			return (name, builder) -> builder.afterEachTask(runs::incrementAndGet);
		}

	}

	public static class MdcWriter {

		@OnEventLoop(value = "work", key = "#key")
		public CompletableFuture<Map<String, String>> write(String key, String value) {
			Map<String, String> seen = mdc();
			MDC.put("value", value);
			MDC.put("key", key);
			return CompletableFuture.completedFuture(seen);
		}

	}

}
