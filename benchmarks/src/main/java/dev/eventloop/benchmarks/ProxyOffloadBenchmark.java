package dev.eventloop.benchmarks;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import dev.eventloop.AsyncContext;
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

import org.springframework.context.ConfigurableApplicationContext;

/**
 * Offload from a loop: an {@code @Offload} method returning a {@code CompletableFuture},
 * called from a loop, against {@code asyncContext}, the same work handed to
 * {@code AsyncContext.offload} directly. Both hand each call to the offload executor and
 * complete its future back on the loop; the difference is what the proxy adds to that
 * path. Each invocation hops to the loop once, makes {@value #OPS} calls there and waits
 * until every future has completed.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class ProxyOffloadBenchmark extends BenchmarkBase {

	static final int OPS = 1000;

	/**
	 * Whether the call goes through the {@code @Offload} proxy or straight to the
	 * context.
	 */
	@Param({ "asyncContext", "offload" })
	public String proxy = "asyncContext";

	// set in setup, read by the benchmark thread
	// and the loop thread (published by the hop)
	private @Nullable ConfigurableApplicationContext context;

	private @Nullable EventLoop loop;

	private @Nullable Supplier<CompletableFuture<Object>> call;

	@Setup
	public void start() {
		ConfigurableApplicationContext context = ProxyBenchmarkApplication.start();
		this.context = context;
		this.loop = context.getBean(ProxyBenchmarkApplication.LOOP, EventLoop.class);
		OnEventLoopCalls proxied = context.getBean(OnEventLoopCalls.class);
		AsyncContext asyncContext = context.getBean(AsyncContext.class);
		OnEventLoopCalls target = new OnEventLoopCalls();
		Callable<CompletableFuture<Object>> work = target::compute;
		this.call = switch (this.proxy) {
			case "asyncContext" -> () -> asyncContext.offload(work).thenCompose((future) -> future);
			case "offload" -> proxied::computeOffloaded;
			default ->
				throw new IllegalArgumentException("Unknown proxy '" + this.proxy + "': use asyncContext or offload");
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
	public void offloadFromLoop() {
		EventLoop loop = this.loop;
		Supplier<CompletableFuture<Object>> call = this.call;
		if (loop == null || call == null) {
			throw new IllegalStateException("Benchmark not set up");
		}
		BatchBarrier barrier = new BatchBarrier();
		Countdown countdown = new Countdown(OPS, barrier);
		loop.execute(() -> {
			for (int i = 0; i < OPS; i++) {
				call.get().whenComplete(countdown);
			}
		});
		barrier.await();
	}

	/**
	 * Runs the barrier when the last future has completed. Used by the loop thread only:
	 * every future completes back on the loop that made the call.
	 */
	private static final class Countdown implements BiConsumer<Object, @Nullable Throwable> {

		private final Runnable barrier;

		private int left;

		Countdown(int calls, Runnable barrier) {
			this.left = calls;
			this.barrier = barrier;
		}

		@Override
		public void accept(Object result, @Nullable Throwable failure) {
			if (--this.left == 0) {
				this.barrier.run();
			}
		}

	}

}
