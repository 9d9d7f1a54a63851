package dev.eventloop.benchmarks;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Dispatch from the loop itself, where every library runs the work inline. Each
 * invocation hops to the loop once and performs {@value #OPS} dispatches there, so the
 * hop costs well under a nanosecond per dispatch and is the same for {@code direct},
 * {@code eventloop-check} and {@code eventloop}, which share one loop implementation.
 * <ul>
 * <li>{@code direct}: {@code task.call()} on this project's loop thread: the floor;</li>
 * <li>{@code eventloop-check}: {@code loop.inLoop() ? task.call() : loop.submit(task)};
 * </li>
 * <li>{@code jdkfuture-floor}: {@code CompletableFuture.completedFuture(task.call())},
 * and {@code loopfuture-floor}: {@code LoopFuture.completed(task.call())}: what returning
 * a completed future costs by itself, without any decision;</li>
 * <li>{@code eventloop}: {@code asyncContext.dispatch(loop, task)}, which returns a
 * completed {@code LoopFuture};</li>
 * <li>{@code netty}: {@code loop.inEventLoop() ? task.call() : loop.submit(task)};</li>
 * <li>{@code vertx}: {@code Vertx.currentContext() == context ? task.call() : ...}.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class InlineDispatchBenchmark extends LoopAdapterBenchmark {

	/** Dispatches per hop to the loop. */
	static final int OPS = 100_000;

	/**
	 * How the call is dispatched: a direct call, a future floor, or a loop
	 * implementation.
	 */
	@Param({ "direct", "eventloop-check", "jdkfuture-floor", "loopfuture-floor", "eventloop", "netty", "vertx" })
	public String implementation = "direct";

	// read by the loop thread; not final, so the JIT cannot fold it
	private Object value = new Object();

	private final Callable<Object> task = () -> this.value;

	// set in setup, read by the benchmark and loop threads (published by the hop)
	private @Nullable Runnable batch;

	@Override
	protected String implementation() {
		return this.implementation;
	}

	@Override
	void started(LoopAdapter adapter, Blackhole blackhole) {
		this.batch = () -> {
			try {
				for (int i = 0; i < OPS; i++) {
					blackhole.consume(adapter.dispatchInline(this.task));
				}
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		};
	}

	@Benchmark
	@OperationsPerInvocation(OPS)
	public void dispatchFromLoop() {
		Runnable batch = this.batch;
		if (batch == null) {
			throw new IllegalStateException("Benchmark not set up");
		}
		adapter().runOnLoopAndWait(batch);
	}

}
