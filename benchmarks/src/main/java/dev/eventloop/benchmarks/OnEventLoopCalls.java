package dev.eventloop.benchmarks;

import java.util.concurrent.CompletableFuture;

import dev.eventloop.spring.Offload;
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

	/**
	 * {@link #compute()} with the argument as its key, which the proxy reads without
	 * evaluating the expression.
	 * @param id the key
	 * @return the result
	 */
	@OnEventLoop(value = ProxyBenchmarkApplication.LOOP, key = "#p0")
	public CompletableFuture<Object> computeFor(Object id) {
		return CompletableFuture.completedFuture(this.value);
	}

	/**
	 * {@link #compute()} with a key that calls a method of the argument, which the proxy
	 * evaluates with SpEL.
	 * @param request the request whose key is the key
	 * @return the result
	 */
	@OnEventLoop(value = ProxyBenchmarkApplication.LOOP, key = "#p0.key()")
	public CompletableFuture<Object> computeForRequest(Request request) {
		return CompletableFuture.completedFuture(this.value);
	}

	/**
	 * {@link #compute()} off the loops, on the offload executor.
	 * @return the result
	 */
	@Offload
	public CompletableFuture<Object> computeOffloaded() {
		return CompletableFuture.completedFuture(this.value);
	}

	/**
	 * A request with a key.
	 *
	 * @param key the key
	 */
	public record Request(Object key) {

	}

}
