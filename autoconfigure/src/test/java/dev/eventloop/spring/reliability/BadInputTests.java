package dev.eventloop.spring.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.FutureTask;
import java.util.stream.Stream;

import dev.eventloop.EventLoopRegistry;
import dev.eventloop.spring.Offload;
import dev.eventloop.spring.OnEventLoop;
import dev.eventloop.spring.autoconfigure.EventLoopAutoConfiguration;
import dev.eventloop.spring.autoconfigure.OnEventLoopAutoConfiguration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Bad input, table-driven: invalid properties and misused annotations each fail
 * application startup, never the first call, and the failure analysis names what is wrong
 * and how to fix it.
 */
@ExtendWith(OutputCaptureExtension.class)
class BadInputTests {

	static Stream<Arguments> badInput() {
		return Stream.of(
				invalidProperty("zero threads", "eventloop.loops.orders.threads=0",
						"Invalid value '0' for property 'eventloop.loops.orders.threads'",
						"Set 'eventloop.loops.orders.threads' to 1 or more"),
				invalidProperty("negative threads", "eventloop.loops.orders.threads=-3",
						"Invalid value '-3' for property 'eventloop.loops.orders.threads'",
						"Set 'eventloop.loops.orders.threads' to 1 or more"),
				invalidProperty("threads that are not a number", "eventloop.loops.orders.threads=four",
						"Failed to bind properties under 'eventloop.loops.orders.threads'",
						"Update your application's configuration"),
				invalidProperty("negative default capacity", "eventloop.defaults.queue-capacity=-1",
						"Invalid value '-1' for property 'eventloop.defaults.queue-capacity'",
						"Set 'eventloop.defaults.queue-capacity' to 0 for an unbounded queue"),
				invalidProperty("negative loop capacity", "eventloop.loops.orders.queue-capacity=-100",
						"Invalid value '-100' for property 'eventloop.loops.orders.queue-capacity'",
						"Set 'eventloop.loops.orders.queue-capacity' to 0 for an unbounded queue"),
				Arguments.of("duplicate names after expansion", List.of(),
						List.of("eventloop.loops.orders.threads=2", "eventloop.loops.orders-0.threads=1"),
						"the name 'orders-0' is used both by group 'orders' (2 threads) and by loop 'orders-0'",
						"Rename one of the entries under 'eventloop.loops'"),
				invalidProperty("zero stall threshold", "eventloop.defaults.stall-threshold=0ms",
						"Invalid value 'PT0S' for property 'eventloop.defaults.stall-threshold'",
						"Set 'eventloop.defaults.stall-threshold' to a positive duration"),
				invalidProperty("negative lag-probe interval", "eventloop.loops.orders.lag-probe-interval=-1s",
						"Invalid value 'PT-1S' for property 'eventloop.loops.orders.lag-probe-interval'",
						"Set 'eventloop.loops.orders.lag-probe-interval' to a positive duration"),
				invalidProperty("negative shutdown timeout", "eventloop.shutdown-timeout=-30s",
						"Invalid value 'PT-30S' for property 'eventloop.shutdown-timeout'",
						"Set 'eventloop.shutdown-timeout' to zero or a positive duration"),
				invalidProperty("zero inline depth", "eventloop.max-inline-depth=0",
						"Invalid value '0' for property 'eventloop.max-inline-depth'",
						"Set 'eventloop.max-inline-depth' to 1 or more"),
				invalidProperty("unknown idle strategy", "eventloop.defaults.idle-strategy=busy-spin",
						"Failed to bind properties under 'eventloop.defaults.idle-strategy'",
						"The following values are valid:\n\n    ADAPTIVE\n    PARK\n    SPIN_THEN_PARK"),
				invalidProperty("unknown blocking policy", "eventloop.blocking-policy=ignore",
						"Failed to bind properties under 'eventloop.blocking-policy'",
						"The following values are valid"),
				misuse("@OnEventLoop naming an unknown loop", UnknownLoop.class,
						"is annotated with @OnEventLoop(\"ordrs\"), but no event loop or group is named 'ordrs'",
						"Name one of the configured event loops in @OnEventLoop"),
				misuse("a key expression that does not parse", BadKey.class,
						"The key expression '#order.customerId +' of @OnEventLoop on method " + BadKey.class.getName()
								+ ".place(Order) cannot be parsed",
						"Fix the key of @OnEventLoop on " + BadKey.class.getName() + ".place(Order)"),
				misuse("@OnEventLoop on a private method", PrivateMethod.class,
						"Method " + PrivateMethod.class.getName()
								+ ".place(String) is annotated with @OnEventLoop but is private",
						"Make " + PrivateMethod.class.getName() + ".place(String) public"),
				misuse("@OnEventLoop on a final method", FinalMethod.class,
						"Method " + FinalMethod.class.getName()
								+ ".place(String) is annotated with @OnEventLoop but is final",
						"Remove 'final' from " + FinalMethod.class.getName() + ".place(String)"),
				misuse("@OnEventLoop on a static method", StaticMethod.class,
						"Method " + StaticMethod.class.getName()
								+ ".place(String) is annotated with @OnEventLoop but is static",
						"Make " + StaticMethod.class.getName() + ".place(String) an instance method"),
				misuse("an unsupported future return type", UnsupportedReturnType.class,
						"Method " + UnsupportedReturnType.class.getName() + ".place(String) returns "
								+ FutureTask.class.getName() + ", which the event-loop proxy cannot create",
						"declare CompletableFuture or CompletionStage instead"),
				misuse("both @OnEventLoop and @Offload", BothAnnotations.class,
						"Method " + BothAnnotations.class.getName()
								+ ".place(String) is annotated with both @OnEventLoop and @Offload",
						"Keep @OnEventLoop to run it on a loop, or @Offload to run blocking work off the loops"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("badInput")
	void badInputFailsStartupWithADescriptionOfWhatToFix(String name, List<Class<?>> configurations,
			List<String> properties, String description, String action, CapturedOutput output) {
		List<Class<?>> sources = new ArrayList<>();
		sources.add(TestApplication.class);
		sources.addAll(configurations);
		SpringApplication application = new SpringApplication(sources.toArray(Class<?>[]::new));
		application.setWebApplicationType(WebApplicationType.NONE);
		String[] args = properties.stream().map((property) -> "--" + property).toArray(String[]::new);

		Throwable failure = catchThrowable(() -> {
			try (ConfigurableApplicationContext context = application.run(args)) {
				// startup must not get this far
			}
		});

		assertThat(failure).as("startup failure for %s", name).isNotNull();
		String report = output.getOut() + output.getErr();
		assertThat(report).contains("APPLICATION FAILED TO START");
		String analysis = report.substring(report.indexOf("APPLICATION FAILED TO START"));
		assertThat(analysis).contains("Description:").contains("Action:");
		assertThat(analysis.substring(analysis.indexOf("Description:"), analysis.indexOf("Action:")))
			.as("description for %s", name)
			.contains(description);
		assertThat(analysis.substring(analysis.indexOf("Action:"))).as("action for %s", name).contains(action);
	}

	/**
	 * Formerly a bad input (startup failed: "a bean named 'orders' of type String already
	 * exists, so the event loop of that name cannot be registered"). Loops no longer take
	 * bean names (their beans are {@code eventloop.loop.<name>}), so a bean of another
	 * type named like a loop now lives beside it, and the loop is still found by its
	 * name.
	 */
	@Test
	@DisplayName("a bean of another type named like a loop: no longer a startup failure, it lives beside the loop")
	void aBeanOfAnotherTypeNamedLikeALoopLivesBesideTheLoop() {
		SpringApplication application = new SpringApplication(TestApplication.class, ClashingBeanConfiguration.class,
				OrdersUserConfiguration.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		try (ConfigurableApplicationContext context = application.run("--eventloop.loops.orders.threads=2")) {
			assertThat(context.getBean("orders")).isEqualTo("not an event loop");
			assertThat(context.getBean(EventLoopRegistry.class).group("orders")).isPresent();
			assertThat(context.getBean(OrdersUser.class).place("o-1")).succeedsWithin(Duration.ofSeconds(10))
				.asString()
				.startsWith("orders-");
		}
	}

	private static Arguments invalidProperty(String name, String property, String description, String action) {
		return Arguments.of(name, List.of(), List.of(property), description, action);
	}

	private static Arguments misuse(String name, Class<?> bean, String description, String action) {
		return Arguments.of(name, List.of(BeanConfiguration.of(bean)), List.of("eventloop.loops.orders.threads=2"),
				description, action);
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ EventLoopAutoConfiguration.class, OnEventLoopAutoConfiguration.class })
	static class TestApplication {

	}

	/**
	 * One configuration per misused bean, so that each case registers only its own.
	 */
	static final class BeanConfiguration {

		private BeanConfiguration() {
		}

		static Class<?> of(Class<?> bean) {
			if (bean == UnknownLoop.class) {
				return UnknownLoopConfiguration.class;
			}
			if (bean == BadKey.class) {
				return BadKeyConfiguration.class;
			}
			if (bean == PrivateMethod.class) {
				return PrivateMethodConfiguration.class;
			}
			if (bean == FinalMethod.class) {
				return FinalMethodConfiguration.class;
			}
			if (bean == StaticMethod.class) {
				return StaticMethodConfiguration.class;
			}
			if (bean == UnsupportedReturnType.class) {
				return UnsupportedReturnTypeConfiguration.class;
			}
			return BothAnnotationsConfiguration.class;
		}

	}

	record Order(String customerId) {
	}

	static class UnknownLoop {

		@OnEventLoop("ordrs")
		public CompletableFuture<String> place(String order) {
			return CompletableFuture.completedFuture(order);
		}

	}

	static class BadKey {

		@OnEventLoop(value = "orders", key = "#order.customerId +")
		public CompletableFuture<String> place(Order order) {
			return CompletableFuture.completedFuture(order.customerId());
		}

	}

	static class PrivateMethod {

		public CompletableFuture<String> placeLater(String order) {
			return place(order);
		}

		@OnEventLoop("orders")
		private CompletableFuture<String> place(String order) {
			return CompletableFuture.completedFuture(order);
		}

	}

	static class FinalMethod {

		@OnEventLoop("orders")
		public final CompletableFuture<String> place(String order) {
			return CompletableFuture.completedFuture(order);
		}

	}

	static class StaticMethod {

		@OnEventLoop("orders")
		public static CompletableFuture<String> place(String order) {
			return CompletableFuture.completedFuture(order);
		}

	}

	/**
	 * A {@code Future} return type is supported (the proxy returns a {@code LoopFuture});
	 * a concrete future type other than {@code CompletableFuture} is not.
	 */
	static class UnsupportedReturnType {

		@OnEventLoop("orders")
		public FutureTask<String> place(String order) {
			FutureTask<String> task = new FutureTask<>(() -> order);
			task.run();
			return task;
		}

	}

	static class BothAnnotations {

		@OnEventLoop("orders")
		@Offload
		public CompletableFuture<String> place(String order) {
			return CompletableFuture.completedFuture(order);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ClashingBeanConfiguration {

		@Bean
		String orders() {
			return "not an event loop";
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OrdersUserConfiguration {

		@Bean
		OrdersUser ordersUser() {
			return new OrdersUser();
		}

	}

	static class OrdersUser {

		@OnEventLoop(value = "orders", key = "#order")
		public CompletableFuture<String> place(String order) {
			return CompletableFuture.completedFuture(Thread.currentThread().getName());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UnknownLoopConfiguration {

		@Bean
		UnknownLoop unknownLoop() {
			return new UnknownLoop();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BadKeyConfiguration {

		@Bean
		BadKey badKey() {
			return new BadKey();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PrivateMethodConfiguration {

		@Bean
		PrivateMethod privateMethod() {
			return new PrivateMethod();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class FinalMethodConfiguration {

		@Bean
		FinalMethod finalMethod() {
			return new FinalMethod();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class StaticMethodConfiguration {

		@Bean
		StaticMethod staticMethod() {
			return new StaticMethod();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UnsupportedReturnTypeConfiguration {

		@Bean
		UnsupportedReturnType unsupportedReturnType() {
			return new UnsupportedReturnType();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BothAnnotationsConfiguration {

		@Bean
		BothAnnotations bothAnnotations() {
			return new BothAnnotations();
		}

	}

}
