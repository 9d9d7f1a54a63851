package dev.eventloop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attacks on {@link AsyncContext#inlineLoop(EventLoopGroup, Object)}: its answer must
 * agree with what {@code dispatch}, {@code execute} and {@code call} actually do.
 */
class AttackInlineLoopTests {

	private final List<EventLoopGroup> groups = new ArrayList<>();

	private AsyncContext async = AsyncContext.create();

	@AfterEach
	void shutdown() {
		this.async.close();
		this.groups.forEach((group) -> group.shutdownGracefully(Duration.ofSeconds(5)).join());
	}

	private EventLoopGroup group(String name, int threads) {
		EventLoopGroup group = EventLoopGroup.builder(name).threads(threads).build();
		this.groups.add(group);
		return group;
	}

	private EventLoop single(String name) {
		EventLoop loop = EventLoop.builder(name).build();
		this.groups.add(loop);
		return loop;
	}

	private Outcome probe(EventLoopGroup target, @Nullable Object key) {
		Thread caller = Thread.currentThread();
		EventLoop predicted = this.async.inlineLoop(target, key);
		LoopFuture<Thread> dispatched = (key != null) ? this.async.dispatch(target, key, Thread::currentThread)
				: this.async.dispatch(target, Thread::currentThread);
		boolean dispatchInline = dispatched.isDone() && dispatched.join() == caller;
		AtomicReference<Thread> executedOn = new AtomicReference<>();
		if (key != null) {
			this.async.execute(target, key, () -> executedOn.set(Thread.currentThread()));
		}
		else {
			this.async.execute(target, () -> executedOn.set(Thread.currentThread()));
		}
		boolean executeInline = executedOn.get() == caller;
		boolean callInline;
		if (EventLoop.currentOrNull() != null && predicted == null) {
			// call from another loop thread is refused; not an inline case
			callInline = false;
		}
		else {
			Thread ranOn = (key != null) ? this.async.call(target, key, Thread::currentThread)
					: this.async.call(target, Thread::currentThread);
			callInline = ranOn == caller;
		}
		return new Outcome(predicted, dispatchInline, executeInline, callInline);
	}

	private Object keyOf(EventLoopGroup group, EventLoop wanted, boolean owned) {
		for (int i = 0; i < 10_000; i++) {
			String key = "key-" + i;
			if ((group.forKey(key) == wanted) == owned) {
				return key;
			}
		}
		throw new AssertionError("no key found");
	}

	@Test
	void noLoopMeansNeverInline() {
		EventLoopGroup group = group("attack-none", 2);
		Outcome outcome = probe(group, null);
		assertThat(outcome.predicted()).isNull();
		assertThat(outcome.agrees()).as(outcome.toString()).isTrue();
		Outcome keyed = probe(group, "k");
		assertThat(keyed.agrees()).as(keyed.toString()).isTrue();
	}

	@Test
	void ownLoopOfAMultiLoopGroupWithAndWithoutKeys() throws Exception {
		EventLoopGroup group = group("attack-multi", 2);
		EventLoop own = group.loops().get(0);
		Object ownKey = keyOf(group, own, true);
		Object otherKey = keyOf(group, own, false);
		List<Outcome> outcomes = own.submit(() -> List.of(probe(group, null), probe(group, ownKey)))
			.get(5, TimeUnit.SECONDS);
		assertThat(outcomes.get(0).predicted()).isSameAs(own);
		assertThat(outcomes.get(1).predicted()).isSameAs(own);
		assertThat(outcomes).allSatisfy((o) -> assertThat(o.agrees()).as(o.toString()).isTrue());
		Outcome other = own.submit(() -> {
			EventLoop predicted = this.async.inlineLoop(group, otherKey);
			LoopFuture<Thread> d = this.async.dispatch(group, otherKey, Thread::currentThread);
			AtomicReference<Thread> executed = new AtomicReference<>();
			this.async.execute(group, otherKey, () -> executed.set(Thread.currentThread()));
			return new Outcome(predicted, d.isDone() && d.join() == Thread.currentThread(),
					executed.get() == Thread.currentThread(), false);
		}).get(5, TimeUnit.SECONDS);
		assertThat(other.agrees()).as(other.toString()).isTrue();
		assertThat(other.predicted()).isNull();
	}

	@Test
	void aLoopOfAnotherGroupAndASingleLoopTarget() throws Exception {
		EventLoopGroup mine = group("attack-mine", 2);
		EventLoopGroup theirs = group("attack-theirs", 2);
		EventLoop single = single("attack-single");
		EventLoop own = mine.loops().get(1);
		Outcome toOtherGroup = own.submit(() -> {
			EventLoop predicted = this.async.inlineLoop(theirs, null);
			LoopFuture<Thread> d = this.async.dispatch(theirs, Thread::currentThread);
			AtomicReference<Thread> executed = new AtomicReference<>();
			this.async.execute(theirs, () -> executed.set(Thread.currentThread()));
			return new Outcome(predicted, d.isDone() && d.join() == Thread.currentThread(),
					executed.get() == Thread.currentThread(), false);
		}).get(5, TimeUnit.SECONDS);
		assertThat(toOtherGroup.predicted()).isNull();
		assertThat(toOtherGroup.agrees()).as(toOtherGroup.toString()).isTrue();
		List<Outcome> onSingle = single.submit(() -> List.of(probe(single, null), probe(single, "any-key")))
			.get(5, TimeUnit.SECONDS);
		assertThat(onSingle).allSatisfy((o) -> {
			assertThat(o.predicted()).isSameAs(single);
			assertThat(o.agrees()).as(o.toString()).isTrue();
		});
		Outcome singleFromOtherLoop = own.submit(() -> {
			EventLoop predicted = this.async.inlineLoop(single, "k");
			LoopFuture<Thread> d = this.async.dispatch(single, "k", Thread::currentThread);
			return new Outcome(predicted, d.isDone() && d.join() == Thread.currentThread(), false, false);
		}).get(5, TimeUnit.SECONDS);
		assertThat(singleFromOtherLoop.agrees()).as(singleFromOtherLoop.toString()).isTrue();
	}

	/**
	 * Past the inline depth, inlineLoop still names the caller's loop: the work stays on
	 * that loop, but dispatch and execute queue it instead of running it inline, while
	 * call still runs it inline.
	 */
	@Test
	void atTheInlineDepthLimitTheWorkStaysOnTheCallersLoopButIsQueued() throws Exception {
		this.async.close();
		this.async = AsyncContext.builder().maxInlineDepth(1).build();
		EventLoop loop = single("attack-depth");
		List<Object> observed = loop.submit(() -> {
			Thread caller = Thread.currentThread();
			List<Object> seen = new ArrayList<>();
			LoopFuture<Object> outer = this.async.dispatch(loop, () -> {
				// depth 1: a nested dispatch is past the limit
				seen.add(this.async.inlineLoop(loop, null) == loop);
				LoopFuture<Thread> nested = this.async.dispatch(loop, Thread::currentThread);
				seen.add(nested.isDone());
				AtomicReference<Thread> executed = new AtomicReference<>();
				this.async.execute(loop, () -> executed.set(Thread.currentThread()));
				seen.add(executed.get() == caller);
				seen.add(this.async.call(loop, Thread::currentThread) == caller);
				return nested;
			});
			seen.add(outer.isDone());
			return List.of(seen, outer.join());
		}).get(5, TimeUnit.SECONDS);
		@SuppressWarnings("unchecked")
		List<Object> seen = (List<Object>) observed.get(0);
		// inlineLoop says inline on the caller's loop; dispatch/execute queue; call runs
		// inline
		assertThat(seen).containsExactly(true, false, false, true, true);
		@SuppressWarnings("unchecked")
		LoopFuture<Thread> nested = (LoopFuture<Thread>) observed.get(1);
		assertThat(nested.get(5, TimeUnit.SECONDS))
			.isSameAs(loop.submit(Thread::currentThread).get(5, TimeUnit.SECONDS));
	}

	/** What actually happened for one hand-over, seen from the caller. */
	private record Outcome(@Nullable EventLoop predicted, boolean dispatchInline, boolean executeInline,
			boolean callInline) {

		boolean agrees() {
			boolean predictedInline = this.predicted != null;
			return predictedInline == this.dispatchInline && predictedInline == this.executeInline
					&& predictedInline == this.callInline;
		}

	}

}
