package dev.eventloop.benchmarks;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Submit-and-wait round trip from a thread that is not the loop. One task at a time, so
 * the loop is idle between tasks and every round trip includes waking it (and waking the
 * caller). Sampled, for the latency distribution. {@code eventloop-spin} is this
 * project's loop with {@code IdleStrategy.SPIN_THEN_PARK}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class RoundTripBenchmark extends LoopAdapterBenchmark {

	/**
	 * The loop implementation under test.
	 */
	@Param({ "eventloop", "eventloop-spin", "netty", "vertx", "jdk", "spring" })
	public String implementation = "eventloop";

	// read by the loop thread, written once at construction
	private final Object value = new Object();

	private final Callable<Object> task = () -> this.value;

	@Override
	protected String implementation() {
		return this.implementation;
	}

	@Benchmark
	public Object submitAndWait() throws Exception {
		return adapter().submitAndWait(this.task);
	}

}
