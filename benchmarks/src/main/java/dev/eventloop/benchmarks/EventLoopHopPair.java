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
 * task)} from A takes the same path). With {@code raw}, the hop is two plain
 * {@code execute} calls instead, as Vert.x's idiom is: what the loops themselves cost,
 * without a future.
 */
final class EventLoopHopPair implements HopPair {

	private final EventLoop a;

	private final EventLoop b;

	// two execute calls instead of submit and a future
	private final boolean raw;

	EventLoopHopPair(IdleStrategy idleStrategy, boolean raw) {
		this.raw = raw;
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
		if (this.raw) {
			return () -> this.b.execute(() -> {
				Object value = call(onB);
				this.a.execute(() -> thenOnA.accept(value));
			});
		}
		return () -> this.b.submit(onB).thenAccept(thenOnA);
	}

	private static Object call(Callable<Object> task) {
		try {
			return task.call();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void close() throws Exception {
		this.a.shutdownGracefully(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
		this.b.shutdownGracefully(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
	}

}
