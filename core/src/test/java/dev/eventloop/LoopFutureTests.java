package dev.eventloop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the blocking guard of {@link LoopFuture}.
 */
class LoopFutureTests {

	private final List<EventLoop> loops = new ArrayList<>();

	@AfterEach
	void shutdown() {
		this.loops.forEach((loop) -> loop.shutdownGracefully(Duration.ofSeconds(5)).join());
	}

	private EventLoop loop(String name, BlockingPolicy policy) {
		EventLoop loop = EventLoop.builder(name).blockingPolicy(policy).build();
		this.loops.add(loop);
		return loop;
	}

	@Test
	void joinOfUnfinishedFutureOnItsOwnLoopThrowsInsteadOfHanging() {
		EventLoop loop = loop("own", BlockingPolicy.FAIL);
		CompletableFuture<Object> attempt = loop.submit(() -> loop.submit(() -> "later").join());
		assertThat(attempt).failsWithin(Duration.ofSeconds(5))
			.withThrowableOfType(ExecutionException.class)
			.havingCause()
			.isInstanceOf(BlockingOnLoopException.class)
			.withMessageContaining("LoopFuture.join()")
			.withMessageContaining("event loop 'own'")
			.withMessageContaining("thenApply/thenCompose");
	}

	@Test
	void getOfUnfinishedFutureOnAnotherLoopThrows() {
		EventLoop a = loop("a", BlockingPolicy.FAIL);
		EventLoop b = loop("b", BlockingPolicy.FAIL);
		LoopFuture<String> never = new LoopFuture<>();
		CompletableFuture<Object> attempt = a.submit(() -> b.submit(never::get).get());
		assertThat(attempt).failsWithin(Duration.ofSeconds(5))
			.withThrowableOfType(ExecutionException.class)
			.havingCause()
			.isInstanceOf(BlockingOnLoopException.class)
			.withMessageContaining("LoopFuture.get()")
			.withMessageContaining("event loop 'a'");
	}

	@Test
	void timedGetOnLoopIsRefusedToo() {
		EventLoop loop = loop("timed", BlockingPolicy.FAIL);
		LoopFuture<String> never = new LoopFuture<>();
		CompletableFuture<Object> attempt = loop.submit(() -> never.get(1, TimeUnit.MILLISECONDS));
		assertThat(attempt).failsWithin(Duration.ofSeconds(5))
			.withThrowableOfType(ExecutionException.class)
			.havingCause()
			.isInstanceOf(BlockingOnLoopException.class);
	}

	@Test
	void finishedFutureReturnsItsValueOnALoop() throws Exception {
		EventLoop loop = loop("finished", BlockingPolicy.FAIL);
		String value = loop.submit(() -> LoopFuture.completed("ready").join()).get(5, TimeUnit.SECONDS);
		assertThat(value).isEqualTo("ready");
	}

	@Test
	void dependentStagesAreGuardedToo() {
		EventLoop loop = loop("dependent", BlockingPolicy.FAIL);
		LoopFuture<String> never = new LoopFuture<>();
		CompletableFuture<Object> attempt = loop.submit(() -> never.thenApply(String::length).join());
		assertThat(attempt).failsWithin(Duration.ofSeconds(5))
			.withThrowableOfType(ExecutionException.class)
			.havingCause()
			.isInstanceOf(BlockingOnLoopException.class);
	}

	@Test
	void warnPolicyCountsTheViolationAndBlocksUntilTheResultArrives() throws Exception {
		EventLoop a = loop("warned", BlockingPolicy.WARN);
		EventLoop b = loop("worker", BlockingPolicy.FAIL);
		String value = a.submit(() -> b.submit(() -> "from-b").join()).get(5, TimeUnit.SECONDS);
		assertThat(value).isEqualTo("from-b");
		assertThat(a.stats().blockingViolations()).isEqualTo(1);
	}

	@Test
	void allowPolicyBlocksWithoutCounting() throws Exception {
		EventLoop a = loop("allowed", BlockingPolicy.ALLOW);
		EventLoop b = loop("helper", BlockingPolicy.FAIL);
		String value = a.submit(() -> b.submit(() -> "from-b").thenApply(String::toUpperCase).join())
			.get(5, TimeUnit.SECONDS);
		assertThat(value).isEqualTo("FROM-B");
		assertThat(a.stats().blockingViolations()).isZero();
	}

	@Test
	void blockingLoopStillReceivesResultsRoutedBackToIt() throws Exception {
		// the future is completed on the caller's loop, which is the one blocked waiting
		EventLoop a = loop("blocked-home", BlockingPolicy.ALLOW);
		EventLoop b = loop("producer", BlockingPolicy.FAIL);
		String[] threads = a.submit(() -> {
			LoopFuture<String> result = b.submit(() -> Thread.currentThread().getName());
			String completedOn = result.thenApply((ignored) -> Thread.currentThread().getName()).join();
			return new String[] { result.join(), completedOn };
		}).get(5, TimeUnit.SECONDS);
		assertThat(threads).containsExactly("producer", "blocked-home");
	}

	@Test
	void plainThreadsBlockAsUsual() throws Exception {
		EventLoop loop = loop("plain", BlockingPolicy.FAIL);
		assertThat(loop.submit(() -> "value").join()).isEqualTo("value");
		assertThat(loop.submit(() -> "value").get()).isEqualTo("value");
	}

}
