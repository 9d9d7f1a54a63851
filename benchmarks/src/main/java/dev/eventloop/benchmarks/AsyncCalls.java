package dev.eventloop.benchmarks;

import java.util.concurrent.CompletableFuture;

import org.springframework.scheduling.annotation.Async;

/**
 * {@link Calls} run by Spring's {@code @Async} proxy on a one-thread
 * {@code ThreadPoolTaskExecutor}.
 */
@Async(ProxyBenchmarkApplication.ASYNC_EXECUTOR)
public class AsyncCalls implements Calls {

	// read by the executor thread, written once at construction
	private final Object value = new Object();

	@Override
	public void fire() {
	}

	@Override
	public void release(Runnable barrier) {
		barrier.run();
	}

	@Override
	public CompletableFuture<Object> compute() {
		return CompletableFuture.completedFuture(this.value);
	}

}
