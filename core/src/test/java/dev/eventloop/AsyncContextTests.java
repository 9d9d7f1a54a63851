package dev.eventloop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link AsyncContext}.
 */
class AsyncContextTests {

	private final List<EventLoopGroup> groups = new ArrayList<>();

	private final AsyncContext async = AsyncContext.create();

	@AfterEach
	void shutdown() {
		this.async.close();
		this.groups.forEach((group) -> group.shutdownGracefully(Duration.ofSeconds(5)).join());
	}

	private EventLoop loop(String name) {
		EventLoop loop = EventLoop.builder(name).build();
		this.groups.add(loop);
		return loop;
	}

	private EventLoopGroup group(String name, int threads) {
		EventLoopGroup group = EventLoopGroup.builder(name).threads(threads).build();
		this.groups.add(group);
		return group;
	}

	@Test
	void dispatchFromTargetLoopRunsInlineSynchronouslyBeforeQueuedTasks() throws Exception {
		EventLoop loop = loop("inline");
		List<String> order = Collections.synchronizedList(new ArrayList<>());
		CompletableFuture<Boolean> doneBeforeReturn = loop.submit(() -> {
			loop.execute(() -> order.add("queued"));
			Thread caller = Thread.currentThread();
			LoopFuture<String> inline = this.async.dispatch(loop, () -> {
				order.add("inline");
				return (Thread.currentThread() == caller) ? "same-thread" : "other-thread";
			});
			order.add("after-dispatch");
			return inline.isDone() && "same-thread".equals(inline.getNow(null));
		});
		assertThat(doneBeforeReturn.get(5, TimeUnit.SECONDS)).isTrue();
		loop.submit(() -> null).get(5, TimeUnit.SECONDS);
		assertThat(order).containsExactly("inline", "after-dispatch", "queued");
		assertThat(loop.stats().tasks().inline()).isEqualTo(1);
	}

	@Test
	void dispatchFromOtherThreadRunsOnLoopThread() throws Exception {
		EventLoop loop = loop("cross");
		LoopFuture<Thread> ranOn = this.async.dispatch(loop, Thread::currentThread);
		assertThat(ranOn.get(5, TimeUnit.SECONDS).getName()).isEqualTo("cross");
		assertThat(loop.stats().tasks().inline()).isZero();
	}

	@Test
	void dispatchWithoutKeyStaysOnCallersLoopOfTheGroup() throws Exception {
		EventLoopGroup group = group("stay", 3);
		EventLoop second = group.loops().get(1);
		String ranOn = second.submit(() -> this.async.dispatch(group, () -> Thread.currentThread().getName()).join())
			.get(5, TimeUnit.SECONDS);
		assertThat(ranOn).isEqualTo("stay-1");
	}

	@Test
	void dispatchWithKeyRunsInlineOnlyOnTheOwningLoop() throws Exception {
		EventLoopGroup group = group("keyed", 4);
		Object key = "account-42";
		EventLoop owner = group.forKey(key);
		EventLoop other = group.loops().stream().filter((loop) -> loop != owner).findFirst().orElseThrow();
		boolean inlineOnOwner = owner.submit(() -> this.async.dispatch(group, key, () -> "x").isDone())
			.get(5, TimeUnit.SECONDS);
		String fromOther = other.submit(() -> this.async.dispatch(group, key, () -> Thread.currentThread().getName()))
			.thenCompose((future) -> future)
			.get(5, TimeUnit.SECONDS);
		assertThat(inlineOnOwner).isTrue();
		assertThat(fromOther).isEqualTo(owner.name());
	}

	@Test
	void inlineLoopTellsWhatDispatchDoes() throws Exception {
		EventLoopGroup group = group("decide", 4);
		EventLoop elsewhere = loop("elsewhere");
		Object key = "account-7";
		EventLoop owner = group.forKey(key);
		EventLoop other = group.loops().stream().filter((loop) -> loop != owner).findFirst().orElseThrow();
		assertThat(this.async.inlineLoop(group, key)).as("off every loop").isNull();
		assertThat(this.async.inlineLoop(group, null)).as("off every loop, no key").isNull();
		assertThat(owner.submit(() -> this.async.inlineLoop(group, key)).get(5, TimeUnit.SECONDS)).isSameAs(owner);
		assertThat(other.submit(() -> this.async.inlineLoop(group, key)).get(5, TimeUnit.SECONDS)).isNull();
		assertThat(other.submit(() -> this.async.inlineLoop(group, null)).get(5, TimeUnit.SECONDS)).isSameAs(other);
		assertThat(elsewhere.submit(() -> this.async.inlineLoop(group, null)).get(5, TimeUnit.SECONDS)).isNull();
		// and dispatch agrees: inline exactly where inlineLoop says so
		assertThat(owner.submit(() -> this.async.dispatch(group, key, () -> "x").isDone()).get(5, TimeUnit.SECONDS))
			.isTrue();
		assertThat(other.submit(() -> this.async.dispatch(group, () -> Thread.currentThread().getName()).getNow(null))
			.get(5, TimeUnit.SECONDS)).isEqualTo(other.name());
	}

	@Test
	void continuationOfDispatchFromLoopAToLoopBRunsOnLoopA() throws Exception {
		EventLoop a = loop("loop-a");
		EventLoop b = loop("loop-b");
		CompletableFuture<String[]> threads = new CompletableFuture<>();
		a.execute(() -> this.async.dispatch(b, () -> Thread.currentThread().getName())
			.thenApply((workThread) -> new String[] { workThread, Thread.currentThread().getName() })
			.whenComplete((result, failure) -> threads.complete(result)));
		assertThat(threads.get(5, TimeUnit.SECONDS)).containsExactly("loop-b", "loop-a");
	}

	@Test
	void recursiveInlineDispatchDeeperThanTheLimitDoesNotOverflowTheStack() throws Exception {
		EventLoop loop = loop("recursive");
		int depth = 100_000;
		CompletableFuture<Integer> result = this.async.dispatch(loop, () -> countDown(loop, depth))
			.thenCompose((future) -> future);
		assertThat(result.get(30, TimeUnit.SECONDS)).isEqualTo(depth);
		assertThat(loop.stats().tasks().inline()).isPositive();
	}

	private CompletableFuture<Integer> countDown(EventLoop loop, int remaining) {
		if (remaining == 0) {
			return LoopFuture.completed(0);
		}
		return this.async.dispatch(loop, () -> countDown(loop, remaining - 1))
			.thenCompose((future) -> future)
			.thenApply((count) -> count + 1);
	}

	@Test
	void executeRunsInlineOnTheTargetLoopAndQueuesFromOtherThreads() throws Exception {
		EventLoop loop = loop("fire-and-forget");
		List<String> order = Collections.synchronizedList(new ArrayList<>());
		loop.submit(() -> {
			loop.execute(() -> order.add("queued"));
			this.async.execute(loop, () -> order.add("inline"));
			order.add("after-execute");
			return null;
		}).get(5, TimeUnit.SECONDS);
		CountDownLatch ran = new CountDownLatch(1);
		AtomicReference<String> thread = new AtomicReference<>();
		this.async.execute(loop, "key", () -> {
			thread.set(Thread.currentThread().getName());
			ran.countDown();
		});
		assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
		loop.submit(() -> null).get(5, TimeUnit.SECONDS);
		assertThat(order).containsExactly("inline", "after-execute", "queued");
		assertThat(thread.get()).isEqualTo("fire-and-forget");
		assertThat(loop.stats().tasks().inline()).isEqualTo(1);
	}

	@Test
	void executeFailuresGoToTheLoopsHandlerAndAreCountedOnce() throws Exception {
		List<Throwable> uncaught = Collections.synchronizedList(new ArrayList<>());
		EventLoop loop = EventLoop.builder("handled")
			.uncaughtExceptionHandler((thread, ex) -> uncaught.add(ex))
			.build();
		this.groups.add(loop);
		this.async.execute(loop, () -> {
			throw new IllegalStateException("queued failure");
		});
		loop.submit(() -> {
			this.async.execute(loop, () -> {
				throw new IllegalStateException("inline failure");
			});
			return null;
		}).get(5, TimeUnit.SECONDS);
		assertThat(uncaught).extracting(Throwable::getMessage).containsExactly("queued failure", "inline failure");
		assertThat(loop.stats().tasks().failed()).isEqualTo(2);
		assertThat(loop.stats().tasks().completed()).isEqualTo(1);
	}

	@Test
	void callFromTargetLoopRunsInline() throws Exception {
		EventLoop loop = loop("call-inline");
		String result = loop.submit(() -> this.async.call(loop, () -> Thread.currentThread().getName()))
			.get(5, TimeUnit.SECONDS);
		assertThat(result).isEqualTo("call-inline");
	}

	@Test
	void callFromPlainThreadSubmitsAndWaits() {
		EventLoop loop = loop("call-plain");
		assertThat(this.async.call(loop, () -> Thread.currentThread().getName())).isEqualTo("call-plain");
	}

	@Test
	void callFromAnotherLoopIsRefusedBeforeTheTaskIsSubmitted() throws Exception {
		EventLoop a = loop("caller");
		EventLoop b = loop("callee");
		CountDownLatch ran = new CountDownLatch(1);
		CompletableFuture<Object> attempt = a.submit(() -> this.async.call(b, () -> {
			ran.countDown();
			return "never";
		}));
		assertThat(attempt).failsWithin(Duration.ofSeconds(5))
			.withThrowableOfType(java.util.concurrent.ExecutionException.class)
			.havingCause()
			.isInstanceOf(BlockingOnLoopException.class)
			.withMessageContaining("'caller'")
			.withMessageContaining("AsyncContext.dispatch");
		b.submit(() -> null).get(5, TimeUnit.SECONDS);
		assertThat(ran.getCount()).isEqualTo(1);
	}

	@Test
	void callRethrowsTheTasksRuntimeException() {
		EventLoop loop = loop("call-fails");
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> this.async.call(loop, () -> {
			throw new IllegalArgumentException("bad amount");
		})).withMessage("bad amount");
	}

	@Test
	void awaitOfUnfinishedStageOnLoopIsRefusedAndOfFinishedStageReturns() throws Exception {
		EventLoop loop = loop("await");
		CompletableFuture<String> never = new CompletableFuture<>();
		CompletableFuture<Object> refused = loop.submit(() -> this.async.await(never));
		assertThat(refused).failsWithin(Duration.ofSeconds(5))
			.withThrowableOfType(java.util.concurrent.ExecutionException.class)
			.havingCause()
			.isInstanceOf(BlockingOnLoopException.class);
		String done = loop.submit(() -> this.async.await(CompletableFuture.completedFuture("ready")))
			.get(5, TimeUnit.SECONDS);
		assertThat(done).isEqualTo("ready");
	}

	@Test
	void offloadRunsOffTheLoopsAndCompletesOnTheCallersLoop() throws Exception {
		EventLoop loop = loop("offloader");
		CompletableFuture<String[]> threads = new CompletableFuture<>();
		loop.execute(() -> this.async.offload(() -> Thread.currentThread())
			.thenAccept((worker) -> threads.complete(
					new String[] { String.valueOf(worker instanceof LoopThread), Thread.currentThread().getName() })));
		assertThat(threads.get(5, TimeUnit.SECONDS)).containsExactly("false", "offloader");
	}

	@Test
	void offloadFromPlainThreadCompletesWithTheResult() throws Exception {
		assertThat(this.async.offload(() -> 6 * 7).get(5, TimeUnit.SECONDS)).isEqualTo(42);
	}

	@Test
	void onEventLoopRecognisesOwnLoopsAndForeignLoopsThroughDetectors() throws Exception {
		Thread foreign = new Thread(() -> {
		}, "foreign-loop");
		try (AsyncContext context = AsyncContext.builder()
			.foreignLoopDetector((thread) -> thread.getName().startsWith("foreign-loop"))
			.build()) {
			EventLoop loop = loop("own");
			assertThat(context.onEventLoop()).isFalse();
			assertThat(loop.submit(context::onEventLoop).get(5, TimeUnit.SECONDS)).isTrue();
			AtomicReference<Object> outcome = new AtomicReference<>();
			CountDownLatch done = new CountDownLatch(1);
			Thread thread = new Thread(() -> {
				try {
					outcome.set(context.onEventLoop());
					outcome.set(context.call(loop, () -> "blocked"));
				}
				catch (RuntimeException ex) {
					outcome.set(ex);
				}
				finally {
					done.countDown();
				}
			}, foreign.getName());
			thread.start();
			assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
			assertThat(outcome.get()).isInstanceOf(BlockingOnLoopException.class);
			assertThat(((BlockingOnLoopException) outcome.get()).getLoopName()).isEqualTo("foreign-loop");
		}
	}

	@Test
	void equalKeysRunInCallOrderWhenADispatchIsQueuedPastTheInlineDepth() throws Exception {
		EventLoopGroup group = group("keyed", 2);
		String key = "account-1";
		EventLoop owner = group.forKey(key);
		List<String> order = Collections.synchronizedList(new ArrayList<>());
		LoopFuture<LoopFuture<String>> outer = owner.submit(() -> {
			// the 17th nested dispatch is queued back at depth 0: a later dispatch for
			// the same key must not overtake it
			dispatchNested(group, key, 17, order);
			return this.async.dispatch(group, key, () -> {
				order.add("later");
				return "later";
			});
		});
		assertThat(outer.get(30, TimeUnit.SECONDS).get(30, TimeUnit.SECONDS)).isEqualTo("later");
		assertThat(order).containsExactly("depth 1", "depth 2", "depth 3", "depth 4", "depth 5", "depth 6", "depth 7",
				"depth 8", "depth 9", "depth 10", "depth 11", "depth 12", "depth 13", "depth 14", "depth 15",
				"depth 16", "depth 17", "later");
	}

	private void dispatchNested(EventLoopGroup group, String key, int remaining, List<String> order) {
		int depth = order.size() + 1;
		this.async.dispatch(group, key, () -> {
			order.add("depth " + depth);
			if (remaining > 1) {
				dispatchNested(group, key, remaining - 1, order);
			}
			return null;
		});
	}

	@Test
	void fireAndForgetRunsInCallOrderWhenOneIsQueuedPastTheInlineDepth() throws Exception {
		AsyncContext shallow = AsyncContext.builder().maxInlineDepth(1).build();
		EventLoop loop = loop("ordered");
		List<String> order = Collections.synchronizedList(new ArrayList<>());
		loop.submit(() -> {
			shallow.execute(loop, () -> {
				order.add("first");
				shallow.execute(loop, () -> order.add("second, queued past the depth"));
			});
			shallow.execute(loop, () -> order.add("third"));
			return null;
		}).get(30, TimeUnit.SECONDS);
		loop.submit(() -> null).get(30, TimeUnit.SECONDS);
		assertThat(order).containsExactly("first", "second, queued past the depth", "third");
		shallow.close();
	}

	@Test
	void failuresOfInlineWorkAreCountedAsFailedTasks() throws Exception {
		EventLoop loop = loop("counting");
		IllegalStateException boom = new IllegalStateException("boom");
		loop.submit(() -> {
			LoopFuture<Object> dispatched = this.async.dispatch(loop, () -> {
				throw boom;
			});
			assertThat(dispatched).isCompletedExceptionally();
			LoopFuture<Object> keyed = this.async.dispatch(loop, "key", () -> {
				throw boom;
			});
			assertThat(keyed).isCompletedExceptionally();
			assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> this.async.call(loop, () -> {
				throw boom;
			}));
			assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> this.async.call(loop, "key", () -> {
				throw boom;
			}));
			return null;
		}).get(30, TimeUnit.SECONDS);
		LoopStats stats = loop.stats();
		assertThat(stats.tasks().inline()).isEqualTo(4);
		assertThat(stats.tasks().failed()).isEqualTo(4);
		assertThat(stats.tasks().completed()).isEqualTo(1);
	}

	@Test
	void anErrorThrownByInlineWorkFailsItsFutureAndTheLoopRunsOn() throws Exception {
		EventLoop loop = loop("survivor");
		Throwable failure = loop.submit(() -> {
			LoopFuture<long[]> huge = this.async.dispatch(loop, () -> new long[Integer.MAX_VALUE]);
			return huge.handle((value, ex) -> ex).join();
		}).get(30, TimeUnit.SECONDS);
		assertThat(failure).isInstanceOf(OutOfMemoryError.class);
		assertThat(loop.submit(() -> "alive").get(30, TimeUnit.SECONDS)).isEqualTo("alive");
		assertThat(loop.stats().tasks().failed()).isEqualTo(1);
	}

	@Test
	void waitingOnAnyLoopFutureFromAForeignEventLoopThreadFollowsTheContextsPolicy() throws Exception {
		ForeignLoopDetector foreign = (thread) -> thread.getName().startsWith("foreign-loop");
		AsyncContext guarded = AsyncContext.builder().foreignLoopDetector(foreign).build();
		EventLoop loop = loop("worker");
		CountDownLatch release = new CountDownLatch(1);
		LoopFuture<String> slow = loop.submit(() -> {
			release.await(30, TimeUnit.SECONDS);
			return "done";
		});
		CompletableFuture<Throwable> refusal = new CompletableFuture<>();
		Thread foreignThread = new Thread(() -> {
			try {
				slow.join();
				refusal.complete(null);
			}
			catch (Throwable ex) {
				refusal.complete(ex);
			}
		}, "foreign-loop-1");
		foreignThread.start();
		assertThat(refusal.get(30, TimeUnit.SECONDS)).isInstanceOf(BlockingOnLoopException.class)
			.hasMessageContaining("foreign-loop-1");
		guarded.close();
		// once the context is closed its detectors no longer apply
		CompletableFuture<String> waited = new CompletableFuture<>();
		new Thread(() -> waited.complete(slow.join()), "foreign-loop-2").start();
		release.countDown();
		assertThat(waited.get(30, TimeUnit.SECONDS)).isEqualTo("done");
	}

}
