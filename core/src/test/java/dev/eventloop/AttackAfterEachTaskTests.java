package dev.eventloop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Attacks on the after-each-task action: it runs after every kind of task, never in the
 * middle of one, and a failing action or task does not stop the loop.
 */
class AttackAfterEachTaskTests {

	private static final ThreadLocal<String> context = new ThreadLocal<>();

	private final AtomicInteger afterRuns = new AtomicInteger();

	private final List<EventLoop> loops = new ArrayList<>();

	private final AsyncContext async = AsyncContext.create();

	@AfterEach
	void shutdown() {
		this.async.close();
		this.loops.forEach((loop) -> loop.shutdownGracefully(Duration.ofSeconds(5)).join());
	}

	private EventLoop loop(String name) {
		return loop(name, () -> {
			this.afterRuns.incrementAndGet();
			context.remove();
		});
	}

	private EventLoop loop(String name, Runnable after) {
		EventLoop loop = EventLoop.builder(name).afterEachTask(after).build();
		this.loops.add(loop);
		return loop;
	}

	@Test
	void everyQueuedTaskStartsCleanAndTheActionRunsAfterEachOne() throws Exception {
		EventLoop loop = loop("attack-queued");
		List<String> seen = Collections.synchronizedList(new ArrayList<>());
		List<LoopFuture<?>> futures = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			String value = "task-" + i;
			if (i % 2 == 0) {
				loop.execute(() -> {
					seen.add(String.valueOf(context.get()));
					context.set(value);
				});
			}
			else {
				futures.add(loop.submit(() -> {
					seen.add(String.valueOf(context.get()));
					context.set(value);
					return value;
				}));
			}
		}
		for (LoopFuture<?> future : futures) {
			future.get(5, TimeUnit.SECONDS);
		}
		loop.submit(() -> null).get(5, TimeUnit.SECONDS);
		assertThat(seen).hasSize(200).containsOnly("null");
		// the last task's own action may still be running when its future completes: the
		// 200 tasks before it had theirs run before it started
		assertThat(this.afterRuns.get()).isGreaterThanOrEqualTo(200);
	}

	@Test
	void everyRunOfAPeriodicTimerStartsClean() throws Exception {
		EventLoop loop = loop("attack-periodic");
		List<String> seen = Collections.synchronizedList(new ArrayList<>());
		CountDownLatch runs = new CountDownLatch(10);
		LoopFuture<Void> periodic = loop.scheduleAtFixedRate(() -> {
			seen.add(String.valueOf(context.get()));
			context.set("periodic");
			runs.countDown();
		}, Duration.ofMillis(1), Duration.ofMillis(1));
		LoopFuture<Void> delayed = loop.schedule(() -> {
			seen.add(String.valueOf(context.get()));
			context.set("delayed");
		}, Duration.ofMillis(3));
		LoopFuture<Void> fixedDelay = loop.scheduleWithFixedDelay(() -> {
			seen.add(String.valueOf(context.get()));
			context.set("fixed-delay");
		}, Duration.ofMillis(1), Duration.ofMillis(1));
		assertThat(runs.await(5, TimeUnit.SECONDS)).isTrue();
		delayed.get(5, TimeUnit.SECONDS);
		periodic.cancel(false);
		fixedDelay.cancel(false);
		assertThat(loop.submit(context::get).get(5, TimeUnit.SECONDS)).isNull();
		synchronized (seen) {
			assertThat(seen).hasSizeGreaterThanOrEqualTo(11).containsOnly("null");
		}
	}

	@Test
	void neverRunsInTheMiddleOfATaskWithInlineWork() throws Exception {
		EventLoop loop = loop("attack-inline");
		EventLoopGroup group = loop;
		List<String> result = loop.submit(() -> {
			List<String> seen = new ArrayList<>();
			int before = this.afterRuns.get();
			context.set("outer");
			for (int i = 0; i < 5; i++) {
				int depth = i;
				LoopFuture<String> inline = this.async.dispatch(group, () -> {
					String s = context.get();
					context.set("inline-" + depth);
					this.async.execute(group, () -> context.set("executed-" + depth));
					return s;
				});
				assertThat(inline.isDone()).isTrue();
				seen.add(inline.join());
			}
			seen.add(context.get());
			seen.add("afterRuns delta " + (this.afterRuns.get() - before));
			return seen;
		}).get(5, TimeUnit.SECONDS);
		assertThat(result).containsExactly("outer", "executed-0", "executed-1", "executed-2", "executed-3",
				"executed-4", "afterRuns delta 0");
		assertThat(loop.submit(context::get).get(5, TimeUnit.SECONDS)).isNull();
	}

	@Test
	void callbacksOfCompletionsHandedBackEachStartClean() throws Exception {
		EventLoop home = loop("attack-home");
		EventLoop worker = loop("attack-worker");
		int count = 50;
		List<String> seen = Collections.synchronizedList(new ArrayList<>());
		CompletableFuture<Void> all = home.submit(() -> {
			List<CompletableFuture<?>> callbacks = new ArrayList<>();
			for (int i = 0; i < count; i++) {
				int n = i;
				callbacks.add(this.async.dispatch(worker, () -> n).thenAccept((v) -> {
					assertThat(home.inLoop()).isTrue();
					seen.add(String.valueOf(context.get()));
					context.set("callback-" + v);
				}).toCompletableFuture());
			}
			context.set("submitting task");
			return CompletableFuture.allOf(callbacks.toArray(new CompletableFuture<?>[0]));
		}).get(5, TimeUnit.SECONDS);
		all.get(5, TimeUnit.SECONDS);
		assertThat(seen).hasSize(count).containsOnly("null");
	}

	@Test
	void aThrowingActionIsLoggedAndTheLoopKeepsRunningAndCompletingFutures() throws Exception {
		AtomicInteger calls = new AtomicInteger();
		EventLoop loop = loop("attack-throwing-action", () -> {
			calls.incrementAndGet();
			context.remove();
			throw new IllegalStateException("after-each-task boom");
		});
		for (int i = 0; i < 100; i++) {
			int n = i;
			assertThat(loop.submit(() -> {
				String before = context.get();
				context.set("v" + n);
				return before;
			}).get(5, TimeUnit.SECONDS)).isNull();
		}
		assertThat(loop.schedule(() -> context.set("t"), Duration.ofMillis(1)).get(5, TimeUnit.SECONDS)).isNull();
		assertThat(loop.submit(context::get).get(5, TimeUnit.SECONDS)).isNull();
		// the last task's own action may still be running when its future completes:
		// every
		// task before it (100 submits and the timer) had its action run before it started
		assertThat(calls.get()).isGreaterThanOrEqualTo(101);
	}

	@Test
	void runsAfterATaskThatThrowsAnError() throws Exception {
		EventLoop loop = EventLoop.builder("attack-error").afterEachTask(() -> {
			this.afterRuns.incrementAndGet();
			context.remove();
		}).uncaughtExceptionHandler((thread, ex) -> {
		}).build();
		this.loops.add(loop);
		loop.execute(() -> {
			context.set("executed then error");
			throw new StackOverflowError("simulated");
		});
		assertThat(loop.submit(context::get).get(5, TimeUnit.SECONDS)).isNull();
		LoopFuture<Object> failing = loop.submit(() -> {
			context.set("submitted then error");
			throw new OutOfMemoryError("simulated");
		});
		assertThatExceptionOfType(Exception.class).isThrownBy(() -> failing.get(5, TimeUnit.SECONDS));
		assertThat(loop.submit(context::get).get(5, TimeUnit.SECONDS)).isNull();
		LoopFuture<Void> timer = loop.schedule(() -> {
			context.set("timer then error");
			throw new LinkageError("simulated");
		}, Duration.ofMillis(1));
		assertThatExceptionOfType(Exception.class).isThrownBy(() -> timer.get(5, TimeUnit.SECONDS));
		assertThat(loop.submit(context::get).get(5, TimeUnit.SECONDS)).isNull();
	}

	@Test
	void timersCancelledOrAbandonedAtShutdownDoNotBreakIt() throws Exception {
		EventLoop loop = EventLoop.builder("attack-shutdown").afterEachTask(() -> {
			this.afterRuns.incrementAndGet();
			context.remove();
			throw new IllegalStateException("boom");
		}).build();
		CountDownLatch ran = new CountDownLatch(3);
		LoopFuture<Void> periodic = loop.scheduleAtFixedRate(() -> {
			context.set("p");
			ran.countDown();
		}, Duration.ofMillis(1), Duration.ofMillis(1));
		LoopFuture<Void> far = loop.schedule(() -> context.set("never"), Duration.ofHours(1));
		LoopFuture<Void> cancelled = loop.schedule(() -> context.set("cancelled"), Duration.ofHours(1));
		cancelled.cancel(false);
		assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
		loop.shutdownGracefully(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
		assertThat(far.isDone()).isTrue();
		assertThat(periodic.isDone()).isTrue();
		assertThat(this.afterRuns.get()).isGreaterThanOrEqualTo(3);
	}

}
