package dev.eventloop.benchmarks;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.eventloop.EventLoop;
import dev.eventloop.IdleStrategy;

/**
 * Two of this project's loops. The hop is the plain API: on loop A,
 * {@code b.submit(task).thenAccept(continuation)}; a future submitted from loop A is
 * completed on loop A, so the continuation runs there ({@code AsyncContext.dispatch(b,
 * task)} from A takes the same path).
 */
final class EventLoopHopPair implements HopPair {

	private final EventLoop a;

	private final EventLoop b;

	EventLoopHopPair(IdleStrategy idleStrategy) {
		this.a = EventLoop.builder("bench-hop-a").idleStrategy(idleStrategy).daemon(true).build();
		this.b = EventLoop.builder("bench-hop-b").idleStrategy(idleStrategy).daemon(true).build();
	}

	@Override
	public void executeOnA(Runnable task) {
		this.a.execute(task);
	}

	@Override
	public boolean onA() {
		return this.a.inLoop();
	}

	@Override
	public Runnable hop(Callable<Object> onB, Consumer<Object> thenOnA) {
		return () -> this.b.submit(onB).thenAccept(thenOnA);
	}

	@Override
	public void close() throws Exception {
		this.a.shutdownGracefully(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
		this.b.shutdownGracefully(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
	}

}
