package dev.eventloop.benchmarks;

import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * A benchmark over the {@link LoopAdapter} named by its {@code implementation} parameter:
 * created before the trial, closed after it.
 */
public abstract class LoopAdapterBenchmark extends BenchmarkBase {

	// set in setup, read by the benchmark threads (published by JMH's setup barrier)
	private @Nullable LoopAdapter adapter;

	/**
	 * Return the implementation to measure, the benchmark's {@code @Param}.
	 * @return the implementation name
	 */
	protected abstract String implementation();

	/**
	 * Create the adapter.
	 * @param blackhole the JMH blackhole, for benchmarks that consume results on the loop
	 */
	@Setup
	public void start(Blackhole blackhole) {
		LoopAdapter adapter = LoopAdapter.create(implementation());
		this.adapter = adapter;
		started(adapter, blackhole);
	}

	/**
	 * Called once the adapter exists, for further set-up.
	 * @param adapter the adapter
	 * @param blackhole the JMH blackhole
	 */
	void started(LoopAdapter adapter, Blackhole blackhole) {
	}

	/**
	 * Close the adapter.
	 * @throws Exception if the adapter fails to shut down
	 */
	@TearDown
	public void stop() throws Exception {
		if (this.adapter != null) {
			this.adapter.close();
		}
	}

	final LoopAdapter adapter() {
		LoopAdapter adapter = this.adapter;
		if (adapter == null) {
			throw new IllegalStateException("Benchmark not set up");
		}
		return adapter;
	}

}
