package dev.eventloop.benchmarks;

import java.util.concurrent.CompletableFuture;

import dev.eventloop.spring.OnEventLoop;

/**
 * {@link Calls} run on the benchmark's loop by the {@code @OnEventLoop} proxy.
 */
@OnEventLoop(ProxyBenchmarkApplication.LOOP)
public class OnEventLoopCalls implements Calls {

	// read by the loop thread, written once at construction
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
