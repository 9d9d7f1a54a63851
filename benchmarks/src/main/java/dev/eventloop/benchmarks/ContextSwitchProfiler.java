package dev.eventloop.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler that reports how often the benchmark process's threads were switched out
 * during each measured iteration, per operation: {@code ctxsw.voluntary.per.op} (a thread
 * blocked or parked, so something had to wake it) and {@code ctxsw.involuntary.per.op}
 * (the scheduler preempted it). Read from {@code /proc/self/task/*}{@code /status}, so
 * Linux only; elsewhere it reports nothing. Enable it with
 * {@code -prof dev.eventloop.benchmarks.ContextSwitchProfiler}.
 */
public final class ContextSwitchProfiler implements InternalProfiler {

	private static final Path TASKS = Path.of("/proc/self/task");

	// written and read by the JMH control thread only: thread id to its voluntary and
	// involuntary switches when the iteration started
	private Map<String, long[]> atStart = Map.of();

	@Override
	public String getDescription() {
		return "Context switches of the process's threads per operation (Linux /proc)";
	}

	@Override
	public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
		this.atStart = switches();
	}

	@Override
	public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
			IterationResult result) {
		Map<String, long[]> now = switches();
		long ops = result.getMetadata().getAllOps();
		if (now.isEmpty() || ops <= 0) {
			return List.of();
		}
		// per thread, so that a thread that ends during the iteration cannot make the sum
		// fall; what such a thread did is lost, so the counts are a lower bound
		long voluntary = 0;
		long involuntary = 0;
		for (Map.Entry<String, long[]> thread : now.entrySet()) {
			long[] before = this.atStart.getOrDefault(thread.getKey(), new long[2]);
			voluntary += since(before[0], thread.getValue()[0]);
			involuntary += since(before[1], thread.getValue()[1]);
		}
		return List.of(
				new ScalarResult("ctxsw.voluntary.per.op", (double) voluntary / ops, "#/op", AggregationPolicy.AVG),
				new ScalarResult("ctxsw.involuntary.per.op", (double) involuntary / ops, "#/op",
						AggregationPolicy.AVG));
	}

	private static long since(long before, long now) {
		return (now >= before) ? now - before : now; // a new thread that reuses an old id
	}

	private static Map<String, long[]> switches() {
		Map<String, long[]> switches = new HashMap<>();
		try (Stream<Path> tasks = Files.list(TASKS)) {
			for (Path task : (Iterable<Path>) tasks::iterator) {
				long[] counts = read(task.resolve("status"));
				if (counts != null) {
					switches.put(task.getFileName().toString(), counts);
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			return Map.of();
		}
		return switches;
	}

	private static long @Nullable [] read(Path status) {
		List<String> lines;
		try {
			lines = Files.readAllLines(status);
		}
		catch (IOException ex) {
			return null; // the thread ended meanwhile
		}
		long[] counts = new long[2];
		for (String line : lines) {
			if (line.startsWith("voluntary_ctxt_switches:")) {
				counts[0] = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
			}
			else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
				counts[1] = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
			}
		}
		return counts;
	}

}
