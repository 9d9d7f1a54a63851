package dev.eventloop.benchmarks.coroutines;

import dev.eventloop.EventLoop;
import dev.eventloop.IdleStrategy;
import dev.eventloop.coroutines.EventLoopDispatcherKt;
import kotlinx.coroutines.CoroutineDispatcher;
import kotlinx.coroutines.ExecutorCoroutineDispatcher;
import kotlinx.coroutines.ExecutorsKt;
import kotlinx.coroutines.ThreadPoolDispatcherKt;

/**
 * The single-threaded dispatchers compared: an event loop (inline when already on it;
 * with the default idle strategy, and with {@code SPIN_THEN_PARK}),
 * {@code Dispatchers.Default.limitedParallelism(1)} and {@code newSingleThreadContext}.
 */
final class Dispatchers implements AutoCloseable {

	private final CoroutineDispatcher dispatcher;

	private final AutoCloseable resource;

	private Dispatchers(CoroutineDispatcher dispatcher, AutoCloseable resource) {
		this.dispatcher = dispatcher;
		this.resource = resource;
	}

	static Dispatchers create(String implementation, String name) {
		return switch (implementation) {
			case "eventloop" -> {
				EventLoop loop = EventLoop.builder(name).build();
				yield new Dispatchers(EventLoopDispatcherKt.asCoroutineDispatcher(loop), loop);
			}
			case "eventloop-spin" -> {
				EventLoop loop = EventLoop.builder(name).idleStrategy(IdleStrategy.SPIN_THEN_PARK).build();
				yield new Dispatchers(EventLoopDispatcherKt.asCoroutineDispatcher(loop), loop);
			}
			case "eventloop-executor" -> {
				// kotlinx's generic dispatcher over the same loop: always queued, never
				// inline
				EventLoop loop = EventLoop.builder(name).build();
				yield new Dispatchers(ExecutorsKt.from(loop), loop);
			}
			case "limitedParallelism" ->
				new Dispatchers(kotlinx.coroutines.Dispatchers.getDefault().limitedParallelism(1, name), () -> {
				});
			case "singleThreadContext" -> {
				ExecutorCoroutineDispatcher context = ThreadPoolDispatcherKt.newSingleThreadContext(name);
				yield new Dispatchers(context, context);
			}
			default -> throw new IllegalArgumentException("Unknown implementation " + implementation);
		};
	}

	CoroutineDispatcher dispatcher() {
		return this.dispatcher;
	}

	@Override
	public void close() throws Exception {
		this.resource.close();
	}

}
