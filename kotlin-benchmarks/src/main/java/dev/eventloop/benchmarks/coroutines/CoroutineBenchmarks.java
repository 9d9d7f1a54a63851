package dev.eventloop.benchmarks.coroutines;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Coroutines on an event loop against Kotlin's own single-threaded dispatchers, in one
 * run: a ping-pong between two threads, a {@code suspend} call chain that yields on one
 * thread, and a hand-off between two coroutines of one thread. Throughput, and with
 * {@code -bm sample} the p50 and p99 of a batch; {@code -prof gc} gives the allocation
 * per operation (one resumption, or for the ping-pong one round trip).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g", "-XX:+UseParallelGC" })
@Warmup(iterations = 3, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
public class CoroutineBenchmarks {

	static final int OPS = 1_000;

	// a chain long enough that starting it from the benchmark's thread (a wake-up of a
	// parked dispatcher thread, about 20 us here) no longer weighs in each operation
	static final int LONG_OPS = 20_000;

	/**
	 * The dispatcher implementation under test.
	 */
	@Param({ "eventloop", "eventloop-spin", "eventloop-executor", "limitedParallelism", "singleThreadContext" })
	public String implementation;

	private Dispatchers home;

	private Dispatchers away;

	@Setup(Level.Trial)
	public void start() {
		this.home = Dispatchers.create(this.implementation, "home");
		this.away = Dispatchers.create(this.implementation, "away");
	}

	@TearDown(Level.Trial)
	public void stop() throws Exception {
		this.home.close();
		this.away.close();
	}

	@Benchmark
	@OperationsPerInvocation(OPS)
	public int pingPong() {
		return Workloads.pingPong(this.home.dispatcher(), this.away.dispatcher(), OPS);
	}

	@Benchmark
	@OperationsPerInvocation(OPS)
	public int suspendChain() {
		return Workloads.suspendChain(this.home.dispatcher(), OPS);
	}

	@Benchmark
	@OperationsPerInvocation(LONG_OPS)
	public int suspendChainLong() {
		return Workloads.suspendChain(this.home.dispatcher(), LONG_OPS);
	}

	@Benchmark
	@OperationsPerInvocation(OPS)
	public int handOff() {
		return Workloads.handOff(this.home.dispatcher(), OPS);
	}

}
