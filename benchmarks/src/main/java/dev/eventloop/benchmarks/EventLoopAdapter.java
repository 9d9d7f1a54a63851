package dev.eventloop.benchmarks;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.eventloop.AsyncContext;
import dev.eventloop.EventLoop;
import dev.eventloop.IdleStrategy;
import dev.eventloop.LoopFuture;

/**
 * This project's {@link EventLoop}: {@code execute}, {@code submit(..).get()} and
 * {@link AsyncContext#dispatch} (or, for the baselines of the inline benchmark, an
 * {@code inLoop()} check or a plain call).
 */
final class EventLoopAdapter implements LoopAdapter {

	private static final Runnable NOOP = () -> {
	};

	/**
	 * What {@link #dispatchInline(Callable)} does.
	 */
	enum Inline {

		/** {@code AsyncContext.dispatch(loop, task)}: the API a user calls. */
		DISPATCH,

		/** {@code loop.inLoop() ? task.call() : loop.submit(task)}. */
		IN_LOOP_CHECK,

		/** {@code task.call()}: the floor. */
		DIRECT_CALL,

		/**
		 * {@code LoopFuture.completed(task.call())}: the cost of the future that
		 * {@code dispatch} returns, without its decision.
		 */
		COMPLETED_LOOP_FUTURE,

		/**
		 * {@code CompletableFuture.completedFuture(task.call())}: the JDK's cheapest
		 * completed future.
		 */
		COMPLETED_JDK_FUTURE

	}

	private final EventLoop loop;

	private final AsyncContext context;

	private final Inline inline;

	EventLoopAdapter(IdleStrategy idleStrategy, Inline inline) {
		this.loop = EventLoop.builder("bench-eventloop").idleStrategy(idleStrategy).daemon(true).build();
		this.context = AsyncContext.create();
		this.inline = inline;
	}

	EventLoop loop() {
		return this.loop;
	}

	@Override
	public void executeNoop() {
		this.loop.execute(NOOP);
	}

	@Override
	public void execute(Runnable task) {
		this.loop.execute(task);
	}

	@Override
	public <T> Object submitAndWait(Callable<T> task) throws Exception {
		return this.loop.submit(task).get();
	}

	@Override
	public <T> Object dispatchInline(Callable<T> task) throws Exception {
		return switch (this.inline) {
			case DISPATCH -> this.context.dispatch(this.loop, task);
			case IN_LOOP_CHECK -> this.loop.inLoop() ? task.call() : this.loop.submit(task);
			case DIRECT_CALL -> task.call();
			case COMPLETED_LOOP_FUTURE -> LoopFuture.completed(task.call());
			case COMPLETED_JDK_FUTURE -> CompletableFuture.completedFuture(task.call());
		};
	}

	@Override
	public void close() throws Exception {
		this.context.close();
		this.loop.shutdownGracefully(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
	}

}
