package dev.eventloop.benchmarks;

import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * Cross-thread: a call through an {@code @OnEventLoop} proxy against the same call
 * through a Spring {@code @Async} proxy on a one-thread {@code ThreadPoolTaskExecutor},
 * in a minimal Spring Boot context, from a thread that is not the loop.
 * {@code fireAndForget} calls {@code void} methods in batches (the proxy and submission
 * cost, as in the submit-throughput benchmark); {@code roundTrip} calls a method
 * returning a {@code CompletableFuture} and waits for it.
 */
@State(Scope.Benchmark)
public class ProxyBenchmark extends BenchmarkBase {

	/**
	 * Which proxy runs the call: {@code @OnEventLoop} or Spring's {@code @Async}.
	 */
	@Param({ "onEventLoop", "async" })
	public String proxy = "onEventLoop";

	// set in setup, read by the benchmark thread
	private @Nullable ConfigurableApplicationContext context;

	private @Nullable Calls calls;

	@Setup
	public void start() {
		ConfigurableApplicationContext context = ProxyBenchmarkApplication.start();
		this.context = context;
		this.calls = switch (this.proxy) {
			case "onEventLoop" -> context.getBean(OnEventLoopCalls.class);
			case "async" -> context.getBean(AsyncCalls.class);
			default ->
				throw new IllegalArgumentException("Unknown proxy '" + this.proxy + "': use onEventLoop or async");
		};
	}

	@TearDown
	public void stop() {
		if (this.context != null) {
			this.context.close();
		}
	}

	private Calls calls() {
		Calls calls = this.calls;
		if (calls == null) {
			throw new IllegalStateException("Benchmark not set up");
		}
		return calls;
	}

	@Benchmark
	@BenchmarkMode(Mode.Throughput)
	@OutputTimeUnit(TimeUnit.SECONDS)
	@Threads(1)
	@OperationsPerInvocation(SubmitThroughputBenchmark.BATCH)
	public void fireAndForget(SubmitThroughputBenchmark.Producer producer) {
		Calls calls = calls();
		for (int i = 1; i < SubmitThroughputBenchmark.BATCH; i++) {
			calls.fire();
		}
		producer.barrier.arm();
		calls.release(producer.barrier);
		producer.barrier.await();
	}

	@Benchmark
	@BenchmarkMode(Mode.AverageTime)
	@OutputTimeUnit(TimeUnit.MICROSECONDS)
	public Object roundTrip() throws Exception {
		return calls().compute().get();
	}

}
