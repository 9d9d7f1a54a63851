package dev.eventloop.spring.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.eventloop.spring.OnEventLoop;
import dev.eventloop.spring.aop.InvalidKeyExpressionException;
import dev.eventloop.spring.aop.UnknownEventLoopException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Starts real applications with bad settings and checks what the failure analyzers
 * report.
 */
@ExtendWith(OutputCaptureExtension.class)
class EventLoopFailureAnalyzersTests {

	@Test
	void zeroThreadsShouldFailStartupNamingTheProperty(CapturedOutput output) {
		assertStartupFails(output, InvalidEventLoopPropertyException.class, "--eventloop.loops.orders.threads=0");
		assertThat(output)
			.contains("Invalid value '0' for property 'eventloop.loops.orders.threads':"
					+ " event loop group 'orders' needs at least one thread.")
			.contains("Set 'eventloop.loops.orders.threads' to 1 or more, or remove it to get a single loop named"
					+ " 'orders'.");
	}

	@Test
	void negativeThreadsShouldFailStartupNamingTheProperty(CapturedOutput output) {
		assertStartupFails(output, InvalidEventLoopPropertyException.class, "--eventloop.loops.orders.threads=-2");
		assertThat(output).contains("Invalid value '-2' for property 'eventloop.loops.orders.threads'");
	}

	@Test
	void negativeDefaultCapacityShouldFailStartupNamingTheProperty(CapturedOutput output) {
		assertStartupFails(output, InvalidEventLoopPropertyException.class, "--eventloop.defaults.queue-capacity=-1");
		assertThat(output)
			.contains("Invalid value '-1' for property 'eventloop.defaults.queue-capacity':"
					+ " a queue capacity must be zero (unbounded) or positive.")
			.contains("Set 'eventloop.defaults.queue-capacity' to 0 for an unbounded queue or to a positive maximum"
					+ " number of tasks.");
	}

	@Test
	void negativeLoopCapacityShouldFailStartupNamingTheProperty(CapturedOutput output) {
		assertStartupFails(output, InvalidEventLoopPropertyException.class,
				"--eventloop.loops.orders.queue-capacity=-10");
		assertThat(output).contains("Invalid value '-10' for property 'eventloop.loops.orders.queue-capacity'")
			.contains("Set 'eventloop.loops.orders.queue-capacity' to 0 for an unbounded queue");
	}

	@Test
	void namesCollidingAfterExpansionShouldFailStartup(CapturedOutput output) {
		assertStartupFails(output, InvalidEventLoopPropertyException.class, "--eventloop.loops.orders.threads=2",
				"--eventloop.loops.orders-1.threads=1");
		assertThat(output)
			.contains("Invalid value 'orders-1' for property 'eventloop.loops': the name 'orders-1' is used both by"
					+ " group 'orders' (2 threads) and by loop 'orders-1'.")
			.contains("Rename one of the entries under 'eventloop.loops' so that no group or loop name repeats");
	}

	@Test
	void zeroStallThresholdShouldFailStartupNamingTheProperty(CapturedOutput output) {
		assertStartupFails(output, InvalidEventLoopPropertyException.class,
				"--eventloop.loops.orders.stall-threshold=0s");
		assertThat(output)
			.contains("Invalid value 'PT0S' for property 'eventloop.loops.orders.stall-threshold':"
					+ " the duration must be positive.")
			.contains("Set 'eventloop.loops.orders.stall-threshold' to a positive duration such as 100ms or 2s");
	}

	@Test
	void negativeLagProbeIntervalShouldFailStartupNamingTheProperty(CapturedOutput output) {
		assertStartupFails(output, InvalidEventLoopPropertyException.class,
				"--eventloop.defaults.lag-probe-interval=-5ms");
		assertThat(output).contains("Invalid value 'PT-0.005S' for property 'eventloop.defaults.lag-probe-interval'");
	}

	@Test
	void negativeShutdownTimeoutShouldFailStartupNamingTheProperty(CapturedOutput output) {
		assertStartupFails(output, InvalidEventLoopPropertyException.class, "--eventloop.shutdown-timeout=-1s");
		assertThat(output).contains("Invalid value 'PT-1S' for property 'eventloop.shutdown-timeout'")
			.contains("Set 'eventloop.shutdown-timeout' to zero or a positive duration such as 30s.");
	}

	@Test
	void unknownLoopNameShouldFailStartupListingTheConfiguredLoops(CapturedOutput output) {
		assertStartupFails(output, UnknownEventLoopException.class, UnknownLoopConfiguration.class,
				"--eventloop.loops.orders.threads=2", "--eventloop.loops.pricing.threads=1");
		assertThat(output)
			.contains("Method " + TypoService.class.getName() + ".place(String) is annotated with"
					+ " @OnEventLoop(\"ordrs\"), but no event loop or group is named 'ordrs'.")
			.contains("Configured event loops: orders, orders-0, orders-1, pricing")
			.contains("Name one of the configured event loops in @OnEventLoop, or configure a loop named 'ordrs'"
					+ " with the property 'eventloop.loops.ordrs.threads'");
	}

	@Test
	void unparsableKeyExpressionShouldFailStartupNamingTheMethod(CapturedOutput output) {
		assertStartupFails(output, InvalidKeyExpressionException.class, BadKeyConfiguration.class);
		assertThat(output)
			.contains("The key expression '#order.(' of @OnEventLoop on method " + BadKeyService.class.getName()
					+ ".place(String) cannot be parsed:")
			.contains("Fix the key of @OnEventLoop on " + BadKeyService.class.getName()
					+ ".place(String): it is a SpEL expression over the method arguments");
	}

	@Test
	void unknownLoopKeyInYamlShouldFailStartupNamingKeyOriginAndValidKeys(CapturedOutput output) {
		assertStartupFails(output, InvalidEventLoopPropertyException.class,
				"--spring.config.location=classpath:typos/loop-key.yml");
		assertThat(output)
			.contains("Unknown property 'eventloop.loops.ledger.thread': 'thread' is not one of the settings of a loop."
					+ " It is set in class path resource [typos/loop-key.yml] - 4:15.")
			.contains(
					"Valid keys under 'eventloop.loops.ledger.' are: idle-strategy, lag-probe-interval, lag-threshold,"
							+ " queue-capacity, stall-threshold, threads.")
			.contains("Did you mean 'eventloop.loops.ledger.threads'?");
	}

	@Test
	void unknownDefaultsKeyInYamlShouldFailStartupNamingKeyOriginAndValidKeys(CapturedOutput output) {
		assertStartupFails(output, InvalidEventLoopPropertyException.class,
				"--spring.config.location=classpath:typos/defaults-key.yml");
		assertThat(output)
			.contains("Unknown property 'eventloop.defaults.stall-treshold': 'stall-treshold' is not one of the"
					+ " default loop settings. It is set in class path resource [typos/defaults-key.yml] - 3:21.")
			.contains("Valid keys under 'eventloop.defaults.' are: idle-strategy, lag-probe-interval, lag-threshold,"
					+ " queue-capacity, stall-threshold.")
			.contains("Did you mean 'eventloop.defaults.stall-threshold'?");
	}

	@Test
	void unknownLoopKeyOnCommandLineShouldFailStartupNamingThePropertySource(CapturedOutput output) {
		assertStartupFails(output, InvalidEventLoopPropertyException.class, "--eventloop.loops.orders.capacity=10");
		assertThat(output).contains("Unknown property 'eventloop.loops.orders.capacity'")
			.contains("It is set in \"eventloop.loops.orders.capacity\" from property source \"commandLineArgs\".")
			.contains("Rename 'eventloop.loops.orders.capacity' to one of the valid keys, or remove it.");
	}

	@Test
	void invalidValueInYamlShouldFailStartupNamingItsOrigin(CapturedOutput output) {
		assertStartupFails(output, InvalidEventLoopPropertyException.class,
				"--spring.config.location=classpath:typos/zero-threads.yml");
		assertThat(output).contains("Invalid value '0' for property 'eventloop.loops.ledger.threads': event loop"
				+ " group 'ledger' needs at least one thread. It is set in class path resource"
				+ " [typos/zero-threads.yml] - 4:16.");
	}

	private void assertStartupFails(CapturedOutput output, Class<? extends Throwable> cause, String... args) {
		assertStartupFails(output, cause, null, args);
	}

	private void assertStartupFails(CapturedOutput output, Class<? extends Throwable> cause, Class<?> extra,
			String... args) {
		SpringApplication application = (extra != null) ? new SpringApplication(TestApplication.class, extra)
				: new SpringApplication(TestApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		Throwable failure = catchThrowable(() -> application.run(args));
		assertThat(failure).as("startup failure").isNotNull();
		List<Throwable> chain = new ArrayList<>();
		for (Throwable ex = failure; ex != null; ex = ex.getCause()) {
			chain.add(ex);
		}
		assertThat(chain).hasAtLeastOneElementOfType(cause);
		assertThat(output).contains("APPLICATION FAILED TO START");
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ EventLoopAutoConfiguration.class, OnEventLoopAutoConfiguration.class })
	static class TestApplication {

	}

	static class TypoService {

		@OnEventLoop("ordrs")
		public CompletableFuture<String> place(String order) {
			return CompletableFuture.completedFuture(order);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UnknownLoopConfiguration {

		@Bean
		TypoService typoService() {
			return new TypoService();
		}

	}

	static class BadKeyService {

		@OnEventLoop(value = "default", key = "#order.(")
		public CompletableFuture<String> place(String order) {
			return CompletableFuture.completedFuture(order);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BadKeyConfiguration {

		@Bean
		BadKeyService badKeyService() {
			return new BadKeyService();
		}

	}

}
