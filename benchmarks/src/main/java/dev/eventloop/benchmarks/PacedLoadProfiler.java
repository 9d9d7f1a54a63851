package dev.eventloop.benchmarks;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * Reports the figures {@link PacedLoadBenchmark} measured in each iteration as secondary
 * results: latency percentiles from due time to start ({@code p50}, {@code p99}, in
 * microseconds), the loop thread's CPU per task and the producer's time in
 * {@code execute} per task (in nanoseconds). Each is the mean over the measured
 * iterations. Enable it with {@code -prof dev.eventloop.benchmarks.PacedLoadProfiler}.
 */
public final class PacedLoadProfiler implements InternalProfiler {

	// written by the benchmark thread in its iteration teardown, taken by the JMH control
	// thread after the iteration
	private static final AtomicReference<@Nullable Figures> latest = new AtomicReference<>();

	static void publish(Figures figures) {
		latest.set(figures);
	}

	@Override
	public String getDescription() {
		return "Latency percentiles and CPU per task of PacedLoadBenchmark";
	}

	@Override
	public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
		latest.set(null);
	}

	@Override
	public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
			IterationResult result) {
		Figures figures = latest.getAndSet(null);
		if (figures == null) {
			return List.of();
		}
		return List.of(new ScalarResult("p50", figures.p50Micros(), "us", AggregationPolicy.AVG),
				new ScalarResult("p99", figures.p99Micros(), "us", AggregationPolicy.AVG),
				new ScalarResult("loop.cpu.per.task", figures.loopCpuNanos(), "ns", AggregationPolicy.AVG),
				new ScalarResult("submit.per.task", figures.submitNanos(), "ns", AggregationPolicy.AVG));
	}

	/**
	 * One iteration's figures.
	 *
	 * @param p50Micros the median latency from due time to start
	 * @param p99Micros the 99th percentile of that latency
	 * @param loopCpuNanos the loop thread's CPU time per task
	 * @param submitNanos the producer's time in {@code execute} per task
	 */
	record Figures(double p50Micros, double p99Micros, double loopCpuNanos, double submitNanos) {
	}

}
