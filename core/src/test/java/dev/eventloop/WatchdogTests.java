package dev.eventloop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link Watchdog}: self-deadlocks through plain JDK futures, which no guard
 * can intercept, are reported as blocked with the blocking frame, well before the stall
 * threshold.
 */
class WatchdogTests {

	private static final Duration STALL_THRESHOLD = Duration.ofSeconds(20);

	private final List<EventLoop> loops = new ArrayList<>();

	@AfterEach
	void shutdown() {
		// the deadlocked task returns once the shutdown abandons the future it waits for
		this.loops.forEach((loop) -> loop.shutdownGracefully(Duration.ZERO));
		this.loops.forEach((loop) -> loop.terminationFuture().orTimeout(60, TimeUnit.SECONDS).join());
	}

	static Stream<Arguments> selfDeadlocks() {
		return Stream.of(
				Arguments.of("allOf",
						(Function<EventLoop, Object>) (loop) -> CompletableFuture.allOf(loop.submit(() -> 1)).join()),
				Arguments.of("anyOf",
						(Function<EventLoop, Object>) (loop) -> CompletableFuture
							.anyOf(loop.submit(() -> 1), new CompletableFuture<>())
							.join()),
				Arguments.of("thenCompose",
						(Function<EventLoop, Object>) (loop) -> CompletableFuture.completedFuture(1)
							.thenCompose((ignored) -> loop.submit(() -> 2))
							.join()),
				Arguments.of("minimalCompletionStage",
						(Function<EventLoop, Object>) (
								loop) -> loop.submit(() -> 1).minimalCompletionStage().toCompletableFuture().join()),
				Arguments.of("supplyAsync",
						(Function<EventLoop, Object>) (loop) -> CompletableFuture.supplyAsync(() -> 1, loop).join()));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("selfDeadlocks")
	void aLoopBlockedOnItsOwnResultThroughAJdkFutureIsReportedBlockedWithTheBlockingFrame(String name,
			Function<EventLoop, Object> deadlock) {
		EventLoop loop = EventLoop.builder("deadlocked-" + name).stallThreshold(STALL_THRESHOLD).build();
		this.loops.add(loop);
		CompletableFuture<Object> outcome = new CompletableFuture<>();
		loop.execute(() -> {
			try {
				outcome.complete(deadlock.apply(loop));
			}
			catch (CompletionException ex) {
				outcome.completeExceptionally(ex);
			}
		});
		await().atMost(Duration.ofSeconds(30)).until(() -> loop.stats().stall().blocked());
		LoopStats stats = loop.stats();
		assertThat(stats.stall().stalled()).isTrue();
		assertThat(stats.stall().stalledFor()).isLessThan(STALL_THRESHOLD);
		assertThat(stats.stall().stackTrace()).anySatisfy((frame) -> {
			assertThat(frame.getClassName()).isEqualTo(CompletableFuture.class.getName());
			assertThat(frame.getMethodName()).isIn("join", "waitingGet", "get");
		});
		assertThat(outcome).isNotDone();
	}

}
