package dev.eventloop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
		assertThat(a.stats().tasks().blockingViolations()).isEqualTo(1);
	}

	@Test
	void allowPolicyBlocksWithoutCounting() throws Exception {
		EventLoop a = loop("allowed", BlockingPolicy.ALLOW);
		EventLoop b = loop("helper", BlockingPolicy.FAIL);
		String value = a.submit(() -> b.submit(() -> "from-b").thenApply(String::toUpperCase).join())
			.get(5, TimeUnit.SECONDS);
		assertThat(value).isEqualTo("FROM-B");
		assertThat(a.stats().tasks().blockingViolations()).isZero();
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

	@Test
	void aTimedGetOnALoopWithAnImpossibleDeadlineTimesOutAtOnceAsCompletableFutureDoes() throws Exception {
		EventLoop loop = loop("timed", BlockingPolicy.WARN);
		CompletableFuture<Void> never = new CompletableFuture<>();
		LoopFuture<Void> pending = (LoopFuture<Void>) loop.submit(() -> null).thenCompose((ignored) -> never);
		Class<?> outcome = loop.submit(() -> {
			try {
				pending.get(Long.MIN_VALUE, TimeUnit.NANOSECONDS);
				return Void.class;
			}
			catch (TimeoutException ex) {
				return ex.getClass();
			}
		}).get(30, TimeUnit.SECONDS);
		assertThat(outcome).isEqualTo(TimeoutException.class);
	}

	@Test
	void repeatedTimedWaitsOnALoopLeaveOneDependentOnTheFuture() throws Exception {
		EventLoop loop = loop("timed", BlockingPolicy.ALLOW);
		CompletableFuture<Void> never = new CompletableFuture<>();
		LoopFuture<Void> pending = (LoopFuture<Void>) loop.submit(() -> null).thenCompose((ignored) -> never);
		int timeouts = loop.submit(() -> {
			int count = 0;
			for (int i = 0; i < 1000; i++) {
				try {
					pending.get(1, TimeUnit.MICROSECONDS);
				}
				catch (TimeoutException ex) {
					count++;
				}
			}
			return count;
		}).get(60, TimeUnit.SECONDS);
		assertThat(timeouts).isEqualTo(1000);
		assertThat(pending.getNumberOfDependents()).isLessThanOrEqualTo(1);
	}

	@Test
	void aNonBlockingPollOnALoopThatMustNotBlockThrowsTimeoutException() throws Exception {
		EventLoop loop = loop("polling", BlockingPolicy.FAIL);
		CompletableFuture<Void> never = new CompletableFuture<>();
		LoopFuture<Void> pending = (LoopFuture<Void>) loop.submit(() -> null).thenCompose((ignored) -> never);
		Class<?> outcome = loop.submit(() -> {
			try {
				pending.get(0, TimeUnit.SECONDS);
				return Void.class;
			}
			catch (TimeoutException | BlockingOnLoopException ex) {
				return ex.getClass();
			}
		}).get(30, TimeUnit.SECONDS);
		assertThat(outcome).isEqualTo(TimeoutException.class);
	}

	@Test
	void aContinuationStaysOnTheCallersLoopWhenItsBoundedQueueIsFull() throws Exception {
		EventLoop caller = track(EventLoop.builder("caller").queueCapacity(2).build());
		EventLoop worker = loop("worker", BlockingPolicy.FAIL);
		CountDownLatch workerGate = new CountDownLatch(1);
		CompletableFuture<String> continuationThread = caller.submit(() -> {
			LoopFuture<String> result = worker.submit(() -> {
				workerGate.await(30, TimeUnit.SECONDS);
				return "result";
			});
			CompletableFuture<String> continuation = result.thenApply((value) -> Thread.currentThread().getName());
			// fill the caller's own queue: the completion hop must still get in
			int accepted = 0;
			while (true) {
				try {
					caller.execute(() -> {
					});
					accepted++;
				}
				catch (RejectedExecutionException ex) {
					break;
				}
			}
			assertThat(accepted).isEqualTo(2);
			workerGate.countDown();
			// hold the loop, queue full, until the hop is queued behind the two
			// tasks (or, if it was refused, until the continuation ran elsewhere)
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
			while (caller.stats().queue().size() < 3 && !continuation.isDone() && System.nanoTime() - deadline < 0) {
				Thread.onSpinWait();
			}
			return continuation;
		}).get(30, TimeUnit.SECONDS);
		assertThat(continuationThread.get(30, TimeUnit.SECONDS)).isEqualTo("caller");
	}

	private EventLoop track(EventLoop loop) {
		this.loops.add(loop);
		return loop;
	}

}
