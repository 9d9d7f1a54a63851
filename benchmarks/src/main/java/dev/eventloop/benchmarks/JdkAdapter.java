package dev.eventloop.benchmarks;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The JDK's {@link Executors#newSingleThreadExecutor()}: {@code execute} and
 * {@code submit(..).get()}. It has no notion of "already on the loop".
 */
final class JdkAdapter implements LoopAdapter {

	private static final Runnable NOOP = () -> {
	};

	private final ExecutorService executor = Executors.newSingleThreadExecutor((task) -> {
		Thread thread = new Thread(task, "bench-jdk");
		thread.setDaemon(true);
		return thread;
	});

	@Override
	public void executeNoop() {
		this.executor.execute(NOOP);
	}

	@Override
	public void execute(Runnable task) {
		this.executor.execute(task);
	}

	@Override
	public <T> Object submitAndWait(Callable<T> task) throws Exception {
		return this.executor.submit(task).get();
	}

	@Override
	public void close() throws InterruptedException {
		this.executor.shutdown();
		if (!this.executor.awaitTermination(10, TimeUnit.SECONDS)) {
			throw new IllegalStateException("JDK executor did not terminate within 10 seconds");
		}
	}

}
