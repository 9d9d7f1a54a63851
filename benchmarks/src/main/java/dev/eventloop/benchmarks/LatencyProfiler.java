package dev.eventloop.benchmarks;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler that reports the latencies a benchmark recorded itself with
 * {@link #record(long)} during each measured iteration: {@code lat.p50}, {@code lat.p99}
 * and {@code lat.p99.9} in microseconds (each the mean over the iterations of that
 * iteration's percentile) and {@code lat.count}, the latencies recorded. For benchmarks
 * whose JMH operation is not the latency of interest, such as operations kept in flight
 * by a window. Enable it with {@code -prof dev.eventloop.benchmarks.LatencyProfiler};
 * benchmarks that record nothing get no such results.
 */
public final class LatencyProfiler implements InternalProfiler {

	// any thread records (Recorder is wait-free for concurrent writers); the JMH control
	// thread takes interval histograms
	private static final Recorder RECORDER = new Recorder(3);

	/**
	 * Record one latency. Cheap enough for the hot path (a few nanoseconds), from any
	 * thread.
	 * @param nanos the latency in nanoseconds
	 */
	static void record(long nanos) {
		RECORDER.recordValue(Math.max(0, nanos));
	}

	@Override
	public String getDescription() {
		return "Latencies recorded by the benchmark itself (p50, p99, p99.9 in us)";
	}

	@Override
	public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
		RECORDER.getIntervalHistogram(); // discard what earlier iterations recorded
	}

	@Override
	public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
			IterationResult result) {
		Histogram histogram = RECORDER.getIntervalHistogram();
		if (histogram.getTotalCount() == 0) {
			return List.of();
		}
		return List.of(percentile(histogram, "lat.p50", 50.0), percentile(histogram, "lat.p99", 99.0),
				percentile(histogram, "lat.p99.9", 99.9),
				new ScalarResult("lat.count", histogram.getTotalCount(), "samples", AggregationPolicy.SUM));
	}

	private static ScalarResult percentile(Histogram histogram, String label, double percentile) {
		double micros = (double) histogram.getValueAtPercentile(percentile) / TimeUnit.MICROSECONDS.toNanos(1);
		return new ScalarResult(label, micros, "us", AggregationPolicy.AVG);
	}

}
