package dev.eventloop.spring.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.eventloop.EventLoop;
import dev.eventloop.spring.OnEventLoop;
import dev.eventloop.spring.aop.InvalidEventLoopMethodException;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code @OnEventLoop(key = ..., sequential = true)}: asynchronous calls of one key run
 * one at a time, each waiting for the previous call's future, as a user writing to an
 * account through an asynchronous client expects.
 */
class SequentialOnEventLoopTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EventLoopAutoConfiguration.class, OnEventLoopAutoConfiguration.class))
		.withPropertyValues("eventloop.loops.accounts.threads=2");

	@Test
	void aCallForAnAccountStartsOnlyOnceThePreviousWriteOfThatAccountHasCompleted() {
		this.contextRunner.withUserConfiguration(WriterConfiguration.class).run((context) -> {
			AccountWriter writer = context.getBean(AccountWriter.class);
			CompletableFuture<String> first = writer.write("acct-1", "deposit");
			CompletableFuture<String> second = writer.write("acct-1", "withdraw");
			CompletableFuture<String> other = writer.write("acct-2", "deposit");
			await().atMost(Duration.ofSeconds(5)).until(() -> writer.started().size() == 2);
			assertThat(writer.started()).containsExactlyInAnyOrder("acct-1:deposit", "acct-2:deposit");
			writer.complete("acct-2:deposit");
			assertThat(other.get(5, TimeUnit.SECONDS)).isEqualTo("acct-2:deposit on accounts-");
			assertThat(second).isNotDone();
			assertThat(writer.started()).doesNotContain("acct-1:withdraw");
			writer.complete("acct-1:deposit");
			assertThat(first.get(5, TimeUnit.SECONDS)).startsWith("acct-1:deposit");
			await().atMost(Duration.ofSeconds(5)).until(() -> writer.started().contains("acct-1:withdraw"));
			writer.complete("acct-1:withdraw");
			assertThat(second.get(5, TimeUnit.SECONDS)).startsWith("acct-1:withdraw");
		});
	}

	@Test
	void sequentialWithoutAKeyFailsStartupSayingWhatToAdd() {
		this.contextRunner.withUserConfiguration(NoKeyConfiguration.class)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidEventLoopMethodException.class)
				.hasMessageContaining(NoKeyWriter.class.getName() + ".write(String)")
				.hasMessageContaining("sequential = true) without a key")
				.hasMessageContaining("a key, such as key = \"#p0\""));
	}

	@Test
	void sequentialOnAMethodThatReturnsNoFutureFailsStartup() {
		this.contextRunner.withUserConfiguration(BlockingConfiguration.class)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidEventLoopMethodException.class)
				.hasMessageContaining("returns java.lang.String, not a future to wait for")
				.hasMessageContaining("Declare CompletableFuture or CompletionStage"));
	}

	public static class AccountWriter {

		private final List<String> started = Collections.synchronizedList(new ArrayList<>());

		private final Map<String, CompletableFuture<String>> pending = new ConcurrentHashMap<>();

		@OnEventLoop(value = "accounts", key = "#account", sequential = true)
		public CompletableFuture<String> write(String account, String operation) {
			String name = account + ":" + operation;
			this.started.add(name);
			String loop = EventLoop.current().map(EventLoop::name).orElse("no loop");
			// completed later, by the test, as an asynchronous client would
			return this.pending.computeIfAbsent(name, (key) -> new CompletableFuture<>())
				.thenApply((value) -> value + " on " + loop.substring(0, loop.indexOf('-') + 1));
		}

		// read through the proxy, which has no state of its own
		public List<String> started() {
			return this.started;
		}

		public void complete(String name) {
			this.pending.computeIfAbsent(name, (key) -> new CompletableFuture<>()).complete(name);
		}

	}

	public static class NoKeyWriter {

		@OnEventLoop(value = "accounts", sequential = true)
		public CompletableFuture<String> write(String account) {
			return CompletableFuture.completedFuture(account);
		}

	}

	public static class BlockingWriter {

		@OnEventLoop(value = "accounts", key = "#p0", sequential = true)
		public String write(String account) {
			return account;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class WriterConfiguration {

		@Bean
		AccountWriter accountWriter() {
			return new AccountWriter();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class NoKeyConfiguration {

		@Bean
		NoKeyWriter noKeyWriter() {
			return new NoKeyWriter();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BlockingConfiguration {

		@Bean
		BlockingWriter blockingWriter() {
			return new BlockingWriter();
		}

	}

}
