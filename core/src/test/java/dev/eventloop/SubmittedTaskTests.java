package dev.eventloop;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A task submitted from one loop to another is one object: the task on the target loop,
 * the future its caller holds, and the completion hop back to the caller's loop. These
 * tests attack what that sharing could break: counting, the queue bound, values that look
 * like failures, cancellation, memory, and a caller's loop that terminates with the hop
 * still queued.
 */
class SubmittedTaskTests {

	private static final long TIMEOUT_SECONDS = 10;

	private final List<EventLoop> loops = new ArrayList<>();

	@AfterEach
	void shutdown() {
		this.loops.forEach((loop) -> loop.shutdownGracefully(Duration.ofSeconds(2))
			.orTimeout(TIMEOUT_SECONDS, TimeUnit.SECONDS)
			.exceptionally((ex) -> null)
			.join());
	}

	private EventLoop track(EventLoop loop) {
		this.loops.add(loop);
		return loop;
	}

	@Test
	@Timeout(30)
	void aHopIsCountedOnTheLoopThatRanTheTaskAndNeverOnTheCallersLoop() throws Exception {
		EventLoop a = track(EventLoop.builder("submitted-count-a").build());
		EventLoop b = track(EventLoop.builder("submitted-count-b").build());
		int count = 100;
		CountDownLatch continued = new CountDownLatch(count);
		AtomicInteger offLoopA = new AtomicInteger();
		a.execute(() -> {
			for (int i = 0; i < count; i++) {
				b.submit(() -> 1).thenRun(() -> {
					if (!a.inLoop()) {
						offLoopA.incrementAndGet();
					}
					continued.countDown();
				});
			}
		});
		assertThat(continued.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
		assertThat(offLoopA).hasValue(0);
		assertThat(b.counters().submitted()).isEqualTo(count);
		await().atMost(Duration.ofSeconds(TIMEOUT_SECONDS))
			.untilAsserted(() -> assertThat(b.counters().completed()).isEqualTo(count));
		// A ran its one task and the hundred hops, and counts the task only
		assertThat(a.counters().submitted()).isEqualTo(1);
		assertThat(a.counters().completed()).isEqualTo(1);
	}

	@Test
	@Timeout(30)
	void aHopBackIntoACallersFullBoundedQueueIsNeverRefused() throws Exception {
		EventLoop a = track(EventLoop.builder("submitted-full-a").queueCapacity(1).build());
		EventLoop b = track(EventLoop.builder("submitted-full-b").build());
		CountDownLatch release = new CountDownLatch(1);
		AtomicReference<LoopFuture<Integer>> answer = new AtomicReference<>();
		a.execute(() -> {
			answer.set(b.submit(() -> {
				release.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
				return 42;
			}));
			a.execute(() -> {
			}); // A's queue is now full
		});
		await().atMost(Duration.ofSeconds(TIMEOUT_SECONDS)).until(() -> answer.get() != null);
		release.countDown();
		assertThat(answer.get().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo(42);
		assertThat(a.counters().rejected()).isZero();
	}

	@Test
	@Timeout(30)
	void aThrowableReturnedAsAValueIsAValueAndAThrownOneAFailureBothOnTheCallersLoop() throws Exception {
		EventLoop a = track(EventLoop.builder("submitted-values-a").build());
		EventLoop b = track(EventLoop.builder("submitted-values-b").build());
		IllegalStateException returned = new IllegalStateException("returned, not thrown");
		IllegalStateException thrown = new IllegalStateException("thrown");
		AtomicReference<Object> value = new AtomicReference<>();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		CountDownLatch done = new CountDownLatch(2);
		a.execute(() -> {
			b.submit(() -> returned).whenComplete((result, ex) -> {
				value.set(a.inLoop() ? result : "completed off loop A");
				done.countDown();
			});
			b.submit(() -> {
				throw thrown;
			}).whenComplete((result, ex) -> {
				failure.set(a.inLoop() ? ex : new AssertionError("completed off loop A"));
				done.countDown();
			});
		});
		assertThat(done.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
		assertThat(value.get()).isSameAs(returned);
		assertThat(failure.get()).isSameAs(thrown);
	}

	@Test
	@Timeout(30)
	void aTaskCancelledBeforeItRunsNeitherRunsNorComesBack() throws Exception {
		EventLoop a = track(EventLoop.builder("submitted-cancel-a").build());
		EventLoop b = track(EventLoop.builder("submitted-cancel-b").build());
		CountDownLatch bHeld = new CountDownLatch(1);
		CountDownLatch releaseB = new CountDownLatch(1);
		b.execute(() -> {
			bHeld.countDown();
			awaitQuietly(releaseB);
		});
		assertThat(bHeld.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
		AtomicInteger ran = new AtomicInteger();
		LoopFuture<LoopFuture<Integer>> cancelled = a.submit(() -> {
			LoopFuture<Integer> future = b.submit(ran::incrementAndGet);
			future.cancel(false);
			return future;
		});
		LoopFuture<Integer> future = cancelled.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
		releaseB.countDown();
		// a task queued behind the cancelled one shows that B went past it
		assertThat(b.submit(() -> "after").get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("after");
		assertThat(ran).hasValue(0);
		assertThat(future).isCancelled();
		assertThat(a.counters().completed()).isEqualTo(1);
	}

	@Test
	@Timeout(30)
	void aCompletedFutureDoesNotKeepItsTaskAlive() throws Exception {
		EventLoop a = track(EventLoop.builder("submitted-memory-a").build());
		EventLoop b = track(EventLoop.builder("submitted-memory-b").build());
		AtomicReference<WeakReference<Object>> captured = new AtomicReference<>();
		LoopFuture<LoopFuture<Integer>> submitted = a.submit(() -> {
			Object big = new byte[1 << 20];
			captured.set(new WeakReference<>(big));
			return b.submit(() -> System.identityHashCode(big));
		});
		LoopFuture<Integer> future = submitted.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
		assertThat(future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isNotNull();
		await().atMost(Duration.ofSeconds(TIMEOUT_SECONDS)).until(() -> {
			System.gc();
			return captured.get().get() == null;
		});
		assertThat(future).isCompleted(); // still reachable here: it was the future that
											// let go
	}

	@Test
	@Timeout(30)
	void aHopStillQueuedWhenTheCallersLoopTerminatesDeliversItsValueNotAFailure() throws Exception {
		EventLoop a = track(EventLoop.builder("submitted-orphan-a").build());
		EventLoop b = track(EventLoop.builder("submitted-orphan-b").build());
		AtomicReference<LoopFuture<Integer>> answer = new AtomicReference<>();
		CountDownLatch queued = new CountDownLatch(1);
		a.execute(() -> {
			answer.set(b.submit(() -> 42));
			// the hop back is A's only queued task once B has run the task
			await().atMost(Duration.ofSeconds(TIMEOUT_SECONDS)).until(() -> a.counters().queueSize() == 1);
			a.shutdownGracefully(Duration.ZERO);
			queued.countDown();
		});
		assertThat(queued.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
		a.terminationFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
		assertThat(answer.get().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo(42);
		assertThat(a.counters().abandoned()).isZero();
	}

	@Test
	@Timeout(30)
	void aTaskAbandonedByTheTargetsShutdownFailsTheCallersFutureOnTheCallersLoop() throws Exception {
		EventLoop a = track(EventLoop.builder("submitted-abandon-a").build());
		EventLoop b = EventLoop.builder("submitted-abandon-b").build();
		CountDownLatch bHeld = new CountDownLatch(1);
		CountDownLatch releaseB = new CountDownLatch(1);
		b.execute(() -> {
			bHeld.countDown();
			awaitQuietly(releaseB);
		});
		assertThat(bHeld.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
		AtomicReference<Object> outcome = new AtomicReference<>();
		CountDownLatch done = new CountDownLatch(1);
		a.submit(() -> b.submit(() -> 1).whenComplete((value, failure) -> {
			outcome.set(a.inLoop() ? failure : "completed off loop A");
			done.countDown();
		})).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
		b.shutdownGracefully(Duration.ZERO);
		releaseB.countDown();
		b.terminationFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
		assertThat(done.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
		assertThat(outcome.get()).isInstanceOf(RejectedExecutionException.class);
		assertThat(b.counters().abandoned()).isEqualTo(1);
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
