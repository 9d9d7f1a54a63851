package dev.eventloop.benchmarks;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.eventloop.EventLoop;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.slf4j.MDC;

/**
 * What clearing the logging MDC after every task costs, beside the metrics benchmark: the
 * one-producer workload of the submit-throughput benchmark on a loop built with and
 * without {@code afterEachTask(MDC::clear)} (what the starter sets when SLF4J is
 * present), with tasks that write no MDC key and tasks that write five (so that the
 * clearing has something to throw away and the next task something to write again).
 * Logback's MDC, as in a Spring Boot application. Two forks per setting, because the
 * difference looked for is small.
 */
@State(Scope.Benchmark)
@Fork(value = 2, jvmArgsAppend = { "-Xms1g", "-Xmx1g", "-XX:+UseParallelGC" })
public class MdcIsolationBenchmark extends BenchmarkBase {

	private static final String[] KEYS = { "user", "tenant", "requestId", "session", "operation" };

	/**
	 * Whether the loop clears the MDC after each task.
	 */
	@Param({ "off", "clear" })
	public String isolation = "off";

	/**
	 * How many MDC keys each task writes.
	 */
	@Param({ "0", "5" })
	public int keys;

	// set in setup, read by the benchmark thread (published by JMH's setup barrier)
	private @Nullable EventLoop loop;

	private @Nullable Runnable task;

	@Setup
	public void start() {
		EventLoop.Builder builder = EventLoop.builder("bench-mdc");
		if ("clear".equals(this.isolation)) {
			builder.afterEachTask(MDC::clear);
		}
		else if (!"off".equals(this.isolation)) {
			throw new IllegalArgumentException("Unknown isolation '" + this.isolation + "': use off or clear");
		}
		this.loop = builder.build();
		int count = this.keys;
		this.task = (count == 0) ? () -> {
		} : () -> {
			for (int i = 0; i < count; i++) {
				MDC.put(KEYS[i], "value-" + i);
			}
		};
	}

	@TearDown
	public void stop() {
		if (this.loop != null) {
			this.loop.shutdownGracefully(Duration.ofSeconds(10)).join();
		}
	}

	@Benchmark
	@BenchmarkMode(Mode.Throughput)
	@OutputTimeUnit(TimeUnit.SECONDS)
	@Threads(1)
	@OperationsPerInvocation(SubmitThroughputBenchmark.BATCH)
	public void tasks(SubmitThroughputBenchmark.Producer producer) {
		EventLoop loop = this.loop;
		Runnable task = this.task;
		if (loop == null || task == null) {
			throw new IllegalStateException("Benchmark not set up");
		}
		for (int i = 1; i < SubmitThroughputBenchmark.BATCH; i++) {
			loop.execute(task);
		}
		producer.barrier.arm();
		loop.execute(producer.barrier);
		producer.barrier.await();
	}

}
