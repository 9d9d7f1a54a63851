package dev.eventloop.benchmarks;

import java.util.concurrent.Callable;

import dev.eventloop.IdleStrategy;

/**
 * One implementation under test, reduced to the operations the benchmarks need. Each
 * adapter uses its library's own idiom for every operation, and closing it shuts the
 * library's threads down.
 */
interface LoopAdapter extends AutoCloseable {

	/**
	 * Queue a no-op task from a thread that is not the loop. The no-op is allocated once,
	 * in the library's own task type, so that no adapter pays for wrapping it.
	 */
	void executeNoop();

	/**
	 * Queue a task from a thread that is not the loop.
	 * @param task the task
	 */
	void execute(Runnable task);

	/**
	 * Submit a task from a thread that is not the loop and wait for its result.
	 * @param <T> the result type
	 * @param task the task
	 * @return the task's result
	 * @throws Exception if the task or the wait failed
	 */
	<T> Object submitAndWait(Callable<T> task) throws Exception;

	/**
	 * Run a task as the library does when the caller may already be on the loop: on the
	 * loop, run it inline. Called on the loop thread only.
	 * @param <T> the result type
	 * @param task the task
	 * @return what the library hands back (a value or a future)
	 * @throws Exception if the task failed
	 */
	default <T> Object dispatchInline(Callable<T> task) throws Exception {
		throw new UnsupportedOperationException(getClass().getSimpleName() + " has no inline dispatch");
	}

	/**
	 * Run a task on the loop and wait until it has run.
	 * @param task the task
	 */
	default void runOnLoopAndWait(Runnable task) {
		BatchBarrier barrier = new BatchBarrier();
		execute(() -> {
			try {
				task.run();
			}
			finally {
				barrier.run();
			}
		});
		barrier.await();
	}

	/**
	 * Shut the implementation down and wait for its threads to finish.
	 */
	@Override
	void close() throws Exception;

	/**
	 * Create the adapter for an implementation name.
	 * @param implementation one of {@code eventloop}, {@code eventloop-spin},
	 * {@code eventloop-adaptive}, {@code direct}, {@code eventloop-check},
	 * {@code loopfuture-floor}, {@code jdkfuture-floor}, {@code netty}, {@code vertx},
	 * {@code jdk}, {@code spring}
	 * @return a started adapter
	 */
	static LoopAdapter create(String implementation) {
		return switch (implementation) {
			case "eventloop" -> new EventLoopAdapter(IdleStrategy.PARK, EventLoopAdapter.Inline.DISPATCH);
			case "eventloop-spin" ->
				new EventLoopAdapter(IdleStrategy.SPIN_THEN_PARK, EventLoopAdapter.Inline.DISPATCH);
			case "eventloop-adaptive" -> new EventLoopAdapter(IdleStrategy.ADAPTIVE, EventLoopAdapter.Inline.DISPATCH);
			case "eventloop-check" -> new EventLoopAdapter(IdleStrategy.PARK, EventLoopAdapter.Inline.IN_LOOP_CHECK);
			case "direct" -> new EventLoopAdapter(IdleStrategy.PARK, EventLoopAdapter.Inline.DIRECT_CALL);
			case "loopfuture-floor" ->
				new EventLoopAdapter(IdleStrategy.PARK, EventLoopAdapter.Inline.COMPLETED_LOOP_FUTURE);
			case "jdkfuture-floor" ->
				new EventLoopAdapter(IdleStrategy.PARK, EventLoopAdapter.Inline.COMPLETED_JDK_FUTURE);
			case "netty" -> new NettyAdapter();
			case "vertx" -> new VertxAdapter();
			case "jdk" -> new JdkAdapter();
			case "spring" -> new SpringAdapter();
			default -> throw new IllegalArgumentException("Unknown implementation '" + implementation
					+ "': use eventloop, eventloop-spin, eventloop-adaptive, eventloop-check, direct, loopfuture-floor, jdkfuture-floor, netty, vertx, jdk or spring");
		};
	}

}
