package dev.eventloop.benchmarks;

import java.util.concurrent.TimeUnit;

import dev.eventloop.EventLoop;
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
import org.openjdk.jmh.infra.Blackhole;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * Inline: an {@code @OnEventLoop} method returning a {@code CompletableFuture}, called
 * from its own loop, where the proxy runs it inline; against {@code plain}, the same
 * method on an instance that is not proxied. As in the inline-dispatch benchmark, each
 * invocation hops to the loop once and makes {@value #OPS} calls there. ({@code @Async}
 * has no inline path: it always hands the call to its executor.)
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class ProxyInlineBenchmark extends BenchmarkBase {

	static final int OPS = 100_000;

	/**
	 * Whether the call goes straight to the bean or through its {@code @OnEventLoop}
	 * proxy.
	 */
	@Param({ "plain", "onEventLoop" })
	public String proxy = "plain";

	// set in setup, read by the benchmark thread
	// and the loop thread (published by the hop)
	private @Nullable ConfigurableApplicationContext context;

	private @Nullable EventLoop loop;

	private @Nullable Runnable batch;

	@Setup
	public void start(Blackhole blackhole) {
		ConfigurableApplicationContext context = ProxyBenchmarkApplication.start();
		this.context = context;
		this.loop = context.getBean(ProxyBenchmarkApplication.LOOP, EventLoop.class);
		Calls calls = switch (this.proxy) {
			case "plain" -> new OnEventLoopCalls();
			case "onEventLoop" -> context.getBean(OnEventLoopCalls.class);
			default ->
				throw new IllegalArgumentException("Unknown proxy '" + this.proxy + "': use plain or onEventLoop");
		};
		this.batch = () -> {
			for (int i = 0; i < OPS; i++) {
				blackhole.consume(calls.compute());
			}
		};
	}

	@TearDown
	public void stop() {
		if (this.context != null) {
			this.context.close();
		}
	}

	@Benchmark
	@OperationsPerInvocation(OPS)
	public void callFromLoop() {
		EventLoop loop = this.loop;
		Runnable batch = this.batch;
		if (loop == null || batch == null) {
			throw new IllegalStateException("Benchmark not set up");
		}
		BatchBarrier barrier = new BatchBarrier();
		loop.execute(() -> {
			try {
				batch.run();
			}
			finally {
				barrier.run();
			}
		});
		barrier.await();
	}

}
