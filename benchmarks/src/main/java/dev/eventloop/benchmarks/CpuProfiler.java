package dev.eventloop.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler that reports the CPU the benchmark process used during each measured
 * iteration: {@code cpu.cores} (CPU time per wall-clock time, so 1.0 is one core kept
 * busy) and {@code cpu.per.op} (CPU nanoseconds per operation, all threads counted).
 * Enable it with {@code -prof dev.eventloop.benchmarks.CpuProfiler}.
 */
public final class CpuProfiler implements InternalProfiler {

	private final com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory
		.getOperatingSystemMXBean();

	// written and read by the JMH control thread only
	private long cpuAtStart;

	private long wallAtStart;

	@Override
	public String getDescription() {
		return "Process CPU time during each iteration (cores busy, CPU ns per operation)";
	}

	@Override
	public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
		this.cpuAtStart = this.os.getProcessCpuTime();
		this.wallAtStart = System.nanoTime();
	}

	@Override
	public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
			IterationResult result) {
		long cpu = this.os.getProcessCpuTime() - this.cpuAtStart;
		long wall = System.nanoTime() - this.wallAtStart;
		long ops = result.getMetadata().getAllOps();
		double cores = (wall > 0) ? (double) cpu / wall : Double.NaN;
		double perOp = (ops > 0) ? (double) cpu / ops : Double.NaN;
		return List.of(new ScalarResult("cpu.cores", cores, "cores", AggregationPolicy.AVG),
				new ScalarResult("cpu.per.op", perOp, "ns/op", AggregationPolicy.AVG));
	}

}
