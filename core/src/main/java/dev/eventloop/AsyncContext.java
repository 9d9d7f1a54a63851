package dev.eventloop;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

import org.jspecify.annotations.Nullable;

/**
 * Decides where work runs, by looking at the calling thread.
 * <ul>
 * <li>Caller already on the target loop: run the work inline, now, on this thread (the
 * "await" path: no queue, no thread hop).</li>
 * <li>Caller on any other thread: submit the work to the target loop and return its
 * future. A caller on another loop gets the future completed on its own loop.</li>
 * <li>Blocking for a result on an event-loop thread is refused with a
 * {@link BlockingOnLoopException} (see {@link BlockingPolicy}).</li>
 * </ul>
 * Without a key, a caller already on one of the target group's loops stays on it; any
 * other caller gets the group's {@link EventLoopGroup#next() next} loop. With a key,
 * {@link EventLoopGroup#forKey(Object)} chooses the loop, and the work runs inline only
 * when that loop is the caller's own.
 *
 * <p>
 * Inline dispatch nests, up to a bounded depth; deeper dispatches are queued, so that
 * recursive dispatch cannot overflow the stack, and until they have run, later dispatches
 * from the same loop to itself are queued behind them: work dispatched to a loop (with
 * equal keys, or without a key) runs in call order whatever the depth. {@code call} must
 * return its result, so on its own loop it always runs inline; it is not bounded by the
 * depth and does not wait for queued dispatches.
 *
 * <p>
 * Not to be confused with {@code jakarta.servlet.AsyncContext}.
 *
 * @since 0.1.0
 */
public final class AsyncContext implements AutoCloseable {

	private static final CallableDecorator NO_DECORATION = new CallableDecorator() {

		@Override
		public <T> Callable<T> decorate(Callable<T> task) {
			return task;
		}

	};

	private final InlineRunner inline;

	private final Executor offloadExecutor;

	private final @Nullable ExecutorService ownedOffloadExecutor;

	// registered with the blocking guard while this context is open, so that waits on any
	// future (not only through this context) consult the same detectors
	private final BlockingGuard.@Nullable ForeignLoops foreignLoops;

	private final CallableDecorator decorator;

	// the key lanes of dispatchSequentially, any thread
	private final SequentialDispatch sequential = new SequentialDispatch();

	private AsyncContext(Builder builder) {
		this.inline = new InlineRunner(builder.maxInlineDepth);
		if (builder.offloadExecutor != null) {
			this.offloadExecutor = builder.offloadExecutor;
			this.ownedOffloadExecutor = null;
		}
		else {
			this.ownedOffloadExecutor = OffloadExecutors.createDefault();
			this.offloadExecutor = this.ownedOffloadExecutor;
		}
		this.decorator = builder.decorator;
		if (builder.foreignLoopDetectors.isEmpty()) {
			this.foreignLoops = null;
		}
		else {
			this.foreignLoops = new BlockingGuard.ForeignLoops(List.copyOf(builder.foreignLoopDetectors),
					builder.foreignBlockingPolicy);
			BlockingGuard.register(this.foreignLoops);
		}
	}

	/**
	 * Create a context with the default settings: blocking on foreign loops refused,
	 * inline depth 16, and the default offload executor.
	 * @return a new context
	 */
	public static AsyncContext create() {
		return builder().build();
	}

	/**
	 * Create a builder for a context.
	 * @return a new builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Return the loop of this library that the caller is running on, if any.
	 * @return the caller's loop, or empty
	 */
	public Optional<EventLoop> currentLoop() {
		return EventLoop.current();
	}

	/**
	 * Return whether the caller is on an event-loop thread: one of this library's loops,
	 * or a foreign one recognised by a {@link ForeignLoopDetector} (Netty, Reactor
	 * non-blocking and Vert.x threads when their support is configured).
	 * @return {@code true} if the caller must not block
	 */
	public boolean onEventLoop() {
		return EventLoop.currentOrNull() != null || onForeignLoop();
	}

	private boolean onForeignLoop() {
		return this.foreignLoops != null && this.foreignLoops.recognises(Thread.currentThread());
	}

	/**
	 * Tell whether work for the target handed over from this thread stays on the caller's
	 * loop, as {@code dispatch}, {@code execute} and {@code call} decide: it runs inline
	 * there or, past the inline depth, is queued on that same loop. For callers that wrap
	 * such work themselves (to observe it, say).
	 * @param target the group (or single loop) the work is for
	 * @param key the affinity key, or {@code null} for work that may run on any loop of
	 * it
	 * @return the caller's loop if the work stays on it, otherwise {@code null}
	 */
	public @Nullable EventLoop inlineLoop(EventLoopGroup target, @Nullable Object key) {
		Objects.requireNonNull(target, "target must not be null");
		EventLoop caller = EventLoop.currentOrNull();
		if (caller == null) {
			return null;
		}
		boolean inline = (key != null) ? target.forKey(key) == caller : isMember(caller, target);
		return inline ? caller : null;
	}

	/**
	 * Run a task on the target group: inline if the caller is already on one of its
	 * loops, otherwise submitted to the group's next loop.
	 * @param <T> the result type
	 * @param target the group (or single loop) to run on
	 * @param task the task
	 * @return the future of the result: already done when the task ran inline
	 */
	public <T extends @Nullable Object> LoopFuture<T> dispatch(EventLoopGroup target, Callable<T> task) {
		Objects.requireNonNull(target, "target must not be null");
		Objects.requireNonNull(task, "task must not be null");
		EventLoop caller = EventLoop.currentOrNull();
		if (caller != null && isMember(caller, target)) {
			return this.inline.dispatch(caller, task);
		}
		return target.next().submit(this.decorator.decorate(task), caller);
	}

	/**
	 * Run a task on the loop of the target group that owns the key: inline if that loop
	 * is the caller's own, otherwise submitted to it. All work for one key runs on one
	 * loop, in submission order.
	 * @param <T> the result type
	 * @param target the group to run on
	 * @param key the affinity key
	 * @param task the task
	 * @return the future of the result: already done when the task ran inline
	 */
	public <T extends @Nullable Object> LoopFuture<T> dispatch(EventLoopGroup target, Object key, Callable<T> task) {
		Objects.requireNonNull(target, "target must not be null");
		Objects.requireNonNull(task, "task must not be null");
		EventLoop loop = target.forKey(key);
		EventLoop caller = EventLoop.currentOrNull();
		if (caller == loop) {
			return this.inline.dispatch(caller, task);
		}
		return loop.submit(this.decorator.decorate(task), caller);
	}

	/**
	 * Run asynchronous work on the loop owning the key, one task at a time per key: a
	 * task starts once the previous task's future has completed, not merely once that
	 * task has returned; other keys keep running. Waiting tasks wait in {@link KeyLanes}.
	 * A task that throws or fails fails its future and lets the next start; cancelling
	 * skips a task not yet started, and cancels the future of one started if it can (the
	 * next starts once it completes). A task refused (only one entering an idle key can
	 * be, for capacity) or abandoned by a shutdown fails its future.
	 * @param <T> the result type
	 * @param target the group to run on
	 * @param key the key, compared with {@code equals}
	 * @param task the work, called on the key's loop, returning its future
	 * @return the future of the result, completed where the task's future completes
	 */
	public <T extends @Nullable Object> LoopFuture<T> dispatchSequentially(EventLoopGroup target, Object key,
			Callable<? extends CompletionStage<T>> task) {
		Objects.requireNonNull(target, "target must not be null");
		Objects.requireNonNull(key, "key must not be null");
		Objects.requireNonNull(task, "task must not be null");
		return this.sequential.dispatch(target, key, this.decorator.decorate(task));
	}

	/**
	 * Run a task without a result on the target group: inline if the caller is already on
	 * one of its loops, otherwise queued on the group's next loop. A failure goes to that
	 * loop's uncaught-exception handler and is counted, as for
	 * {@link EventLoop#execute(Runnable)}.
	 * @param target the group (or single loop) to run on
	 * @param task the task
	 * @throws java.util.concurrent.RejectedExecutionException if the loop does not accept
	 * the task
	 */
	public void execute(EventLoopGroup target, Runnable task) {
		Objects.requireNonNull(target, "target must not be null");
		Objects.requireNonNull(task, "task must not be null");
		EventLoop caller = EventLoop.currentOrNull();
		if (caller != null && isMember(caller, target)) {
			this.inline.execute(caller, task);
		}
		else {
			target.next().execute(decorate(task));
		}
	}

	/**
	 * Run a task without a result on the loop of the target group that owns the key:
	 * inline if that loop is the caller's own, otherwise queued on it. A failure goes to
	 * that loop's uncaught-exception handler and is counted.
	 * @param target the group to run on
	 * @param key the affinity key
	 * @param task the task
	 * @throws java.util.concurrent.RejectedExecutionException if the loop does not accept
	 * the task
	 */
	public void execute(EventLoopGroup target, Object key, Runnable task) {
		Objects.requireNonNull(target, "target must not be null");
		Objects.requireNonNull(task, "task must not be null");
		EventLoop loop = target.forKey(key);
		if (EventLoop.currentOrNull() == loop) {
			this.inline.execute(loop, task);
		}
		else {
			loop.execute(decorate(task));
		}
	}

	/**
	 * Run a task on the target group and wait for its result: inline if the caller is on
	 * one of its loops; from a thread that is not an event loop, submitted and awaited;
	 * from another event-loop thread, refused (see {@link BlockingPolicy}).
	 * @param <T> the result type
	 * @param target the group (or single loop) to run on
	 * @param task the task
	 * @return the task's result
	 * @throws BlockingOnLoopException when called from another event-loop thread whose
	 * policy is {@link BlockingPolicy#FAIL}
	 * @throws CompletionException wrapping a checked exception thrown by the task
	 * @see AsyncContext the ordering of inline and queued work
	 */
	public <T extends @Nullable Object> T call(EventLoopGroup target, Callable<T> task) {
		Objects.requireNonNull(target, "target must not be null");
		Objects.requireNonNull(task, "task must not be null");
		EventLoop caller = EventLoop.currentOrNull();
		if (caller != null && isMember(caller, target)) {
			return this.inline.call(caller, task);
		}
		return callAcross(target.next(), caller, task);
	}

	/**
	 * Run a task on the loop of the target group that owns the key and wait for its
	 * result, with the rules of {@link #call(EventLoopGroup, Callable)}.
	 * @param <T> the result type
	 * @param target the group to run on
	 * @param key the affinity key
	 * @param task the task
	 * @return the task's result
	 * @throws BlockingOnLoopException when called from another event-loop thread whose
	 * policy is {@link BlockingPolicy#FAIL}
	 * @throws CompletionException wrapping a checked exception thrown by the task
	 */
	public <T extends @Nullable Object> T call(EventLoopGroup target, Object key, Callable<T> task) {
		Objects.requireNonNull(target, "target must not be null");
		Objects.requireNonNull(task, "task must not be null");
		EventLoop loop = target.forKey(key);
		EventLoop caller = EventLoop.currentOrNull();
		if (caller == loop) {
			return this.inline.call(caller, task);
		}
		return callAcross(loop, caller, task);
	}

	/**
	 * Wait for a result. Returns at once when the stage is done; otherwise refused on
	 * event-loop threads (see {@link BlockingPolicy}) and a plain wait elsewhere.
	 * @param <T> the result type
	 * @param stage the stage to wait for
	 * @return its result
	 * @throws BlockingOnLoopException when called on an event-loop thread whose policy is
	 * {@link BlockingPolicy#FAIL} before the stage is done
	 * @throws CompletionException wrapping the stage's failure
	 */
	public <T extends @Nullable Object> T await(CompletionStage<T> stage) {
		Objects.requireNonNull(stage, "stage must not be null");
		var future = stage.toCompletableFuture();
		if (!future.isDone()) {
			EventLoop caller = beforeBlocking("AsyncContext.await");
			if (caller != null && future instanceof LoopFuture<T> loopFuture) {
				loopFuture.awaitOnLoopUninterruptibly(caller);
			}
		}
		return LoopFuture.joinUnguarded(future);
	}

	/**
	 * Run blocking work off every event loop: on a virtual thread on Java 21 and later,
	 * on a bounded pool of platform threads on Java 17. A caller on a loop gets the
	 * future completed on its own loop. Work the offload executor cannot accept returns a
	 * future that has already failed with a {@link RejectedExecutionException}.
	 * @param <T> the result type
	 * @param blocking the blocking work
	 * @return the future of the result
	 */
	public <T extends @Nullable Object> LoopFuture<T> offload(Callable<T> blocking) {
		Objects.requireNonNull(blocking, "blocking must not be null");
		EventLoop caller = EventLoop.currentOrNull();
		LoopFuture<T> future = new LoopFuture<>();
		Callable<T> task = this.decorator.decorate(blocking);
		try {
			this.offloadExecutor.execute(() -> {
				T value;
				try {
					value = task.call();
				}
				catch (Throwable ex) {
					future.completeOn(caller, null, ex);
					return;
				}
				future.completeOn(caller, value, null);
			});
		}
		catch (RejectedExecutionException ex) {
			future.completeExceptionally(new RejectedExecutionException(
					"Offload executor rejected blocking work: it is saturated or shut down", ex));
		}
		return future;
	}

	/**
	 * Release the offload executor this context created, if any, and stop applying its
	 * blocking policy to foreign event-loop threads. Loops are not affected.
	 */
	@Override
	public void close() {
		if (this.foreignLoops != null) {
			BlockingGuard.unregister(this.foreignLoops);
		}
		if (this.ownedOffloadExecutor != null) {
			this.ownedOffloadExecutor.shutdown();
		}
	}

	private static boolean isMember(EventLoop loop, EventLoopGroup group) {
		return loop == group || loop.group() == group;
	}

	private Runnable decorate(Runnable task) {
		if (this.decorator == NO_DECORATION) {
			return task;
		}
		Callable<@Nullable Object> decorated = this.decorator.decorate(() -> {
			task.run();
			return null;
		});
		return () -> {
			try {
				decorated.call();
			}
			catch (Exception ex) {
				throw LoopTask.sneakyThrow(ex);
			}
		};
	}

	private <T extends @Nullable Object> T callAcross(EventLoop loop, @Nullable EventLoop caller, Callable<T> task) {
		EventLoop blocked = beforeBlocking("AsyncContext.call");
		LoopFuture<T> future = loop.submit(this.decorator.decorate(task), caller);
		if (blocked != null) {
			future.awaitOnLoopUninterruptibly(blocked);
		}
		return LoopFuture.joinUnguarded(future);
	}

	/**
	 * Apply the blocking policy of the caller's thread: its loop's, or this context's for
	 * a foreign loop thread.
	 * @return the caller's loop if it is one of ours and may block, otherwise null
	 */
	private @Nullable EventLoop beforeBlocking(String what) {
		return BlockingGuard.beforeBlocking(what, this.foreignLoops);
	}

	/**
	 * Builder of {@link AsyncContext} instances.
	 *
	 * @since 0.1.0
	 */
	public static final class Builder {

		private BlockingPolicy foreignBlockingPolicy = BlockingPolicy.FAIL;

		private int maxInlineDepth = 16;

		private @Nullable Executor offloadExecutor;

		private final List<ForeignLoopDetector> foreignLoopDetectors = new ArrayList<>();

		private CallableDecorator decorator = NO_DECORATION;

		private Builder() {
		}

		/**
		 * Set the blocking policy for event-loop threads of other libraries recognised by
		 * a {@link ForeignLoopDetector}. This library's loops apply their own configured
		 * policy. Defaults to {@link BlockingPolicy#FAIL}.
		 * @param blockingPolicy the policy
		 * @return this builder
		 */
		public Builder blockingPolicy(BlockingPolicy blockingPolicy) {
			this.foreignBlockingPolicy = Objects.requireNonNull(blockingPolicy, "blockingPolicy must not be null");
			return this;
		}

		/**
		 * Set how deeply inline dispatches may nest before further ones are queued.
		 * Defaults to 16.
		 * @param maxInlineDepth the maximum depth, at least one
		 * @return this builder
		 */
		public Builder maxInlineDepth(int maxInlineDepth) {
			if (maxInlineDepth < 1) {
				throw new IllegalArgumentException("maxInlineDepth must be at least 1, but was " + maxInlineDepth);
			}
			this.maxInlineDepth = maxInlineDepth;
			return this;
		}

		/**
		 * Set the executor for {@link AsyncContext#offload(Callable)}. The context does
		 * not shut it down. Defaults to virtual threads on Java 21 and later, and to a
		 * bounded pool of daemon threads on Java 17, owned by the context.
		 * @param offloadExecutor the executor for blocking work
		 * @return this builder
		 */
		public Builder offloadExecutor(Executor offloadExecutor) {
			this.offloadExecutor = Objects.requireNonNull(offloadExecutor, "offloadExecutor must not be null");
			return this;
		}

		/**
		 * Add a detector of foreign event-loop threads.
		 * @param detector the detector
		 * @return this builder
		 */
		public Builder foreignLoopDetector(ForeignLoopDetector detector) {
			this.foreignLoopDetectors.add(Objects.requireNonNull(detector, "detector must not be null"));
			return this;
		}

		/**
		 * Set the decorator applied to every task this context hands to another thread.
		 * @param decorator the decorator
		 * @return this builder
		 */
		public Builder callableDecorator(CallableDecorator decorator) {
			this.decorator = Objects.requireNonNull(decorator, "decorator must not be null");
			return this;
		}

		/**
		 * Build the context.
		 * @return the new context
		 */
		public AsyncContext build() {
			return new AsyncContext(this);
		}

	}

}
