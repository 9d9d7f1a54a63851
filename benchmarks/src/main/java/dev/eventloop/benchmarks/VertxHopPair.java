package dev.eventloop.benchmarks;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * Two Vert.x 5 event-loop contexts on two event-loop threads, one per deployment (as two
 * verticles would have). The hop is Vert.x's idiom between contexts: on context A,
 * {@code b.runOnContext(..)} runs the work on B, which hands the result back with
 * {@code a.runOnContext(..)}.
 */
final class VertxHopPair implements HopPair {

	private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(1));

	private final Context a;

	private final Context b;

	private final Thread aThread;

	VertxHopPair() {
		this.a = deploy();
		this.b = deploy();
		CompletableFuture<Thread> aThread = new CompletableFuture<>();
		CompletableFuture<Thread> bThread = new CompletableFuture<>();
		this.a.runOnContext((ignored) -> aThread.complete(Thread.currentThread()));
		this.b.runOnContext((ignored) -> bThread.complete(Thread.currentThread()));
		this.aThread = aThread.join();
		if (this.aThread == bThread.join()) {
			throw new IllegalStateException("Vert.x put both contexts on " + this.aThread.getName());
		}
	}

	private Context deploy() {
		CompletableFuture<Context> context = new CompletableFuture<>();
		this.vertx.deployVerticle((deployed) -> {
			context.complete(deployed);
			return Future.succeededFuture();
		}).toCompletionStage().toCompletableFuture().join();
		return context.join();
	}

	@Override
	public void executeOnA(Runnable task) {
		this.a.runOnContext((ignored) -> task.run());
	}

	@Override
	public boolean onA() {
		return Thread.currentThread() == this.aThread;
	}

	@Override
	public Runnable hop(Callable<Object> onB, Consumer<Object> thenOnA) {
		return () -> this.b.runOnContext((ignored) -> {
			Object value = call(onB);
			this.a.runOnContext((back) -> thenOnA.accept(value));
		});
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
		this.vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
	}

}
