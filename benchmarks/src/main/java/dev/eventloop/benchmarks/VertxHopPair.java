package dev.eventloop.benchmarks;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;

/**
 * Two Vert.x 5 event-loop contexts on two event-loop threads, one per deployment (as two
 * verticles would have). The hop is Vert.x's idiom between contexts: on context A,
 * {@code b.runOnContext(..)} runs the work on B, which hands the result back with
 * {@code a.runOnContext(..)}. With {@code futures}, the hop keeps the contract of this
 * project's {@code submit(..).thenAccept(..)} instead: A creates a promise bound to its
 * context (as every Vert.x API called on a context returns a future bound to it), B
 * completes it, and Vert.x runs the listener A registered on A.
 */
final class VertxHopPair implements HopPair {

	private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(1));

	private final Context a;

	private final Context b;

	private final Thread aThread;

	private final boolean futures;

	VertxHopPair(boolean futures) {
		this.futures = futures;
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
		if (this.futures) {
			ContextInternal a = (ContextInternal) this.a;
			return () -> {
				PromiseInternal<Object> promise = a.promise();
				this.b.runOnContext((ignored) -> promise.complete(call(onB)));
				promise.future().onSuccess(thenOnA::accept);
			};
		}
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
