package dev.eventloop.spring.autoconfigure.blockhound;

import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import dev.eventloop.BlockingOnLoopException;
import dev.eventloop.EventLoop;
import dev.eventloop.LoopFuture;
import dev.eventloop.spring.autoconfigure.EventLoopAutoConfiguration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * BlockHound with the event-loop integration, in a JVM of its own (the {@code blockhound}
 * surefire execution): BlockHound instruments the JVM for good.
 */
@Tag("blockhound")
class EventLoopBlockHoundIntegrationTests {

	private static final long TIMEOUT_SECONDS = 10;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(EventLoopAutoConfiguration.class, EventLoopBlockHoundAutoConfiguration.class))
		.withPropertyValues("eventloop.blockhound.enabled=true");

	@Test
	void aBlockingCallOnALoopShouldFailWithTheCallSite() {
		this.contextRunner.run((context) -> {
			EventLoop loop = context.getBean(EventLoop.class);
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> loop.submit(() -> {
				Thread.yield(); // a call BlockHound reports as blocking, yet one that
								// waits for nothing
				return null;
			}).get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
				.havingCause()
				.isInstanceOf(BlockingOnLoopException.class)
				.withMessageContaining("java.lang.Thread.yield")
				.satisfies((ex) -> assertThat(ex.getStackTrace()).anySatisfy((frame) -> assertThat(frame.getClassName())
					.startsWith(EventLoopBlockHoundIntegrationTests.class.getName())));
		});
	}

	@Test
	void fileReadOnALoopShouldFail(@TempDir Path directory) throws Exception {
		Path file = Files.writeString(directory.resolve("data.txt"), "data");
		this.contextRunner.run((context) -> {
			EventLoop loop = context.getBean(EventLoop.class);
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> loop.submit(() -> {
				try (InputStream in = new FileInputStream(file.toFile())) {
					return in.read();
				}
			}).get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).havingCause().isInstanceOf(BlockingOnLoopException.class);
		});
	}

	@Test
	void joiningAllOfALoopFutureOnALoopShouldBeRefusedAtOnce() {
		this.contextRunner.withPropertyValues("eventloop.loops.orders=", "eventloop.loops.pricing=").run((context) -> {
			EventLoop orders = context.getBean("orders", EventLoop.class);
			EventLoop pricing = context.getBean("pricing", EventLoop.class);
			CompletableFuture<Void> release = new CompletableFuture<>();
			LoopFuture<Void> pending = pricing.submit(() -> {
				release.join(); // off the loops' policy: the test thread completes it
				return null;
			});
			try {
				assertThatExceptionOfType(ExecutionException.class)
					.isThrownBy(() -> orders.submit(() -> CompletableFuture.allOf(pending).join())
						.get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
					.havingCause()
					.isInstanceOf(BlockingOnLoopException.class);
			}
			finally {
				release.complete(null);
			}
		});
	}

	@Test
	void blockingUnderWarnPolicyShouldBeCountedAndAllowed() {
		this.contextRunner.withPropertyValues("eventloop.blocking-policy=warn").run((context) -> {
			EventLoop loop = context.getBean(EventLoop.class);
			assertThat(loop.submit(() -> {
				Thread.yield(); // a call BlockHound reports as blocking, yet one that
								// waits for nothing
				return "yielded";
			}).get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("yielded");
			assertThat(loop.counters().blockingViolations()).isEqualTo(1);
		});
	}

	@Test
	void theLoopsOwnParkingShouldNotBeReported() {
		this.contextRunner.withPropertyValues("eventloop.blocking-policy=warn").run((context) -> {
			EventLoop loop = context.getBean(EventLoop.class);
			for (int i = 0; i < 5; i++) {
				// each round trip lets the loop park idle in between
				assertThat(loop.submit(() -> "ok").get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("ok");
				assertThat(loop.schedule(() -> {
				}, Duration.ofMillis(2)).thenApply((ignored) -> "timer").get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
					.isEqualTo("timer");
			}
			assertThat(loop.counters().blockingViolations()).isZero();
			assertThat(loop.stats().death()).isNull();
		});
	}

	@Test
	void blockingOnReactorsThreadsShouldStillFailAsBlockHoundDoes() {
		this.contextRunner.run((context) -> assertThatExceptionOfType(RuntimeException.class)
			.isThrownBy(() -> Mono.fromCallable(() -> {
				Thread.yield(); // a call BlockHound reports as blocking, yet one that
								// waits for nothing
				return 1;
			}).subscribeOn(Schedulers.parallel()).block(Duration.ofSeconds(TIMEOUT_SECONDS)))
			.havingCause()
			.isInstanceOf(BlockingOperationError.class)
			.withMessageContaining("java.lang.Thread.yield"));
	}

}
