package dev.eventloop.benchmarks;

import java.util.concurrent.Callable;
import java.util.function.Consumer;

import dev.eventloop.IdleStrategy;

/**
 * Two loops of one implementation, A and B, for the loop-to-loop hop: a task on A asks B
 * for a value and continues on A with it, each library in its own idiom. Closing the pair
 * shuts both loops down.
 */
interface HopPair extends AutoCloseable {

	/**
	 * Queue a task on loop A from a thread that is not a loop.
	 * @param task the task
	 */
	void executeOnA(Runnable task);

	/**
	 * Return whether the calling thread is loop A's.
	 * @return whether the caller runs on loop A
	 */
	boolean onA();

	/**
	 * Create the hop: an action that, run on loop A, calls {@code onB} on loop B and then
	 * hands its result to {@code thenOnA} on loop A. Created once and run many times, so
	 * that only what the library allocates per hop is measured.
	 * @param onB the work on loop B
	 * @param thenOnA the continuation on loop A
	 * @return the hop, to be run on loop A only
	 */
	Runnable hop(Callable<Object> onB, Consumer<Object> thenOnA);

	/**
	 * Shut both loops down and wait for their threads to finish.
	 */
	@Override
	void close() throws Exception;

	/**
	 * Create the pair for an implementation name.
	 * @param implementation one of {@code eventloop}, {@code eventloop-raw},
	 * {@code eventloop-spin}, {@code eventloop-adaptive}, {@code netty}, {@code vertx},
	 * {@code vertx-future}
	 * @return a started pair
	 */
	static HopPair create(String implementation) {
		return switch (implementation) {
			case "eventloop" -> new EventLoopHopPair(IdleStrategy.PARK, false);
			case "eventloop-raw" -> new EventLoopHopPair(IdleStrategy.PARK, true);
			case "eventloop-spin" -> new EventLoopHopPair(IdleStrategy.SPIN_THEN_PARK, false);
			case "eventloop-adaptive" -> new EventLoopHopPair(IdleStrategy.ADAPTIVE, false);
			case "netty" -> new NettyHopPair();
			case "vertx" -> new VertxHopPair(false);
			case "vertx-future" -> new VertxHopPair(true);
			default -> throw new IllegalArgumentException("Unknown implementation '" + implementation
					+ "': use eventloop, eventloop-raw, eventloop-spin, eventloop-adaptive, netty, vertx or vertx-future");
		};
	}

}
