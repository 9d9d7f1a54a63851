package dev.eventloop.benchmarks;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

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

/**
 * Loop-to-loop dispatch with the continuation back on the caller's loop: a task on loop A
 * asks loop B for a value and continues on A with it (the ledger's transfer: withdraw on
 * one account's loop, deposit on another's, continue on the first). Each invocation hands
 * a driver to loop A and waits until the driver has finished its hops; everything in
 * between runs on the two loops. {@code hops}: hops per second with a window of
 * {@value #WINDOW} hops in flight. {@code hopLatency}: one hop at a time, the mean time
 * per hop; the {@link LatencyProfiler} adds its percentiles. {@code eventloop-spin} is
 * this project's loop with {@code IdleStrategy.SPIN_THEN_PARK}; {@code eventloop-raw}
 * makes the hop with two plain {@code execute} calls and no future, the floor under the
 * others.
 */
@State(Scope.Benchmark)
public class HopBenchmark extends BenchmarkBase {

	/** Hops per invocation of {@code hops}. */
	static final int HOPS = 10_000;

	/** Hops in flight in {@code hops}. */
	static final int WINDOW = 64;

	/** Hops per invocation of {@code hopLatency}, made one after the other. */
	static final int CHAIN = 1000;

	/**
	 * The loop implementation under test.
	 */
	@Param({ "eventloop", "eventloop-raw", "eventloop-spin", "eventloop-adaptive", "netty", "vertx", "vertx-future" })
	public String implementation = "eventloop";

	// set in setup, read by the benchmark thread (published by JMH's setup barrier)
	private @Nullable HopPair pair;

	private @Nullable Driver windowed;

	private @Nullable Driver chained;

	@Setup
	public void start() {
		HopPair pair = HopPair.create(this.implementation);
		this.pair = pair;
		this.windowed = new Driver(pair, HOPS, WINDOW, false);
		this.chained = new Driver(pair, CHAIN, 1, true);
	}

	@TearDown
	public void stop() throws Exception {
		if (this.pair != null) {
			this.pair.close();
		}
	}

	@Benchmark
	@BenchmarkMode(Mode.Throughput)
	@OutputTimeUnit(TimeUnit.SECONDS)
	@OperationsPerInvocation(HOPS)
	public void hops() {
		run(this.windowed);
	}

	@Benchmark
	@BenchmarkMode(Mode.AverageTime)
	@OutputTimeUnit(TimeUnit.MICROSECONDS)
	@OperationsPerInvocation(CHAIN)
	public void hopLatency() {
		run(this.chained);
	}

	private void run(@Nullable Driver driver) {
		HopPair pair = this.pair;
		if (pair == null || driver == null) {
			throw new IllegalStateException("Benchmark not set up");
		}
		driver.barrier.arm();
		pair.executeOnA(driver);
		driver.barrier.await();
		driver.check();
	}

	/**
	 * Makes a batch of hops from loop A, keeping a window of them in flight, and runs the
	 * barrier when the last one has come back. Its fields are owned by loop A, except
	 * that the benchmark thread reads {@code wrongThread} after the barrier (which
	 * publishes it).
	 */
	static final class Driver implements Runnable {

		final BatchBarrier barrier = new BatchBarrier();

		private final HopPair pair;

		private final int hops;

		private final int window;

		private final boolean recordLatency;

		private final Runnable hop;

		// read on loop B: what B hands back, allocated once
		private final Object value = new Object();

		// loop A only
		private int issued;

		private int completed;

		private long startedAt;

		// loop A only until the barrier runs: a continuation that ran elsewhere
		private @Nullable String wrongThread;

		Driver(HopPair pair, int hops, int window, boolean recordLatency) {
			this.pair = pair;
			this.hops = hops;
			this.window = window;
			this.recordLatency = recordLatency;
			Callable<Object> onB = () -> this.value;
			Consumer<Object> thenOnA = this::completed;
			this.hop = pair.hop(onB, thenOnA);
		}

		@Override
		public void run() {
			this.issued = 0;
			this.completed = 0;
			this.wrongThread = null;
			for (int i = 0; i < this.window; i++) {
				issue();
			}
		}

		private void issue() {
			this.issued++;
			if (this.recordLatency) {
				this.startedAt = System.nanoTime();
			}
			this.hop.run();
		}

		private void completed(Object result) {
			if (this.recordLatency) {
				LatencyProfiler.record(System.nanoTime() - this.startedAt);
			}
			if (result != this.value || !this.pair.onA()) {
				this.wrongThread = Thread.currentThread().getName();
			}
			this.completed++;
			if (this.issued < this.hops) {
				issue();
			}
			else if (this.completed == this.hops) {
				this.barrier.run();
			}
		}

		void check() {
			if (this.wrongThread != null) {
				throw new IllegalStateException(
						"A continuation ran on " + this.wrongThread + " instead of loop A, or without B's value");
			}
		}

	}

}
