package dev.eventloop.benchmarks;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * A Vert.x 5 event-loop context: {@code runOnContext}, a result handed back through a
 * {@link CompletableFuture}, and {@code Vertx.currentContext() == context}-then-run. One
 * event-loop thread, as for the other implementations.
 */
final class VertxAdapter implements LoopAdapter {

	private static final Handler<Void> NOOP = (ignored) -> {
	};

	private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));

	private final Context context = this.vertx.getOrCreateContext();

	@Override
	public void executeNoop() {
		this.context.runOnContext(NOOP);
	}

	@Override
	public void execute(Runnable task) {
		this.context.runOnContext((ignored) -> task.run());
	}

	@Override
	public <T> Object submitAndWait(Callable<T> task) throws Exception {
		return submit(task).get();
	}

	@Override
	public <T> Object dispatchInline(Callable<T> task) throws Exception {
		if (Vertx.currentContext() == this.context) {
			return task.call();
		}
		return submit(task);
	}

	private <T> CompletableFuture<T> submit(Callable<T> task) {
		CompletableFuture<T> result = new CompletableFuture<>();
		this.context.runOnContext((ignored) -> {
			try {
				result.complete(task.call());
			}
			catch (Throwable ex) {
				result.completeExceptionally(ex);
			}
		});
		return result;
	}

	@Override
	public void close() throws Exception {
		this.vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
	}

}
