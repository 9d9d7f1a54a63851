package dev.eventloop.benchmarks;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.eventloop.AsyncContext;
import dev.eventloop.EventLoop;
import dev.eventloop.IdleStrategy;
import dev.eventloop.spring.metrics.EventLoopMetrics;
import dev.eventloop.spring.observation.EventLoopTaskObservations;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
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

/**
 * The same loop doing the same work with and without Micrometer meters bound to it.
 * {@code bound} registers every meter of the loop in a real {@link SimpleMeterRegistry},
 * records every lag probe into a histogram timer, and reads every meter once a second (a
 * scrape far more frequent than any real one). The work is the one-producer workload of
 * the submit-throughput benchmark; two forks per setting, because the difference looked
 * for is a few percent.
 * <p>
 * {@code dispatchThroughput} sends the same batches through {@link AsyncContext#execute}
 * (queued: the producer is not on the loop). In {@code observed}, the context carries the
 * {@link EventLoopTaskObservations} decorator that {@code eventloop.observations.enabled}
 * registers, with an observation registry that records each task in a timer; in the other
 * settings the context has no decorator, as when observations are off (the default).
 */
@State(Scope.Benchmark)
@Fork(value = 2, jvmArgsAppend = { "-Xms1g", "-Xmx1g", "-XX:+UseParallelGC" })
public class MetricsBenchmark extends BenchmarkBase {

	private static final Runnable NOOP = () -> {
	};

	/**
	 * Whether the loop's meters are bound to a registry, and whether tasks are observed.
	 */
	@Param({ "unbound", "bound", "observed" })
	public String metrics = "unbound";

	// set in setup, read by the benchmark threads (published by JMH's setup barrier)
	private @Nullable EventLoopAdapter adapter;

	private @Nullable EventLoopMetrics meters;

	private @Nullable ScheduledExecutorService scraper;

	private @Nullable AsyncContext context;

	@Setup
	public void start() {
		EventLoopAdapter adapter = new EventLoopAdapter(IdleStrategy.PARK, EventLoopAdapter.Inline.DISPATCH);
		this.adapter = adapter;
		switch (this.metrics) {
			case "unbound" -> {
				this.context = AsyncContext.create();
			}
			case "observed" -> {
				SimpleMeterRegistry registry = new SimpleMeterRegistry();
				ObservationRegistry observations = ObservationRegistry.create();
				observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(registry));
				this.context = AsyncContext.builder()
					.callableDecorator(new EventLoopTaskObservations(observations))
					.build();
			}
			case "bound" -> {
				SimpleMeterRegistry registry = new SimpleMeterRegistry();
				EventLoopMetrics meters = new EventLoopMetrics(List.of(adapter.loop()));
				meters.bindTo(registry);
				this.meters = meters;
				ScheduledExecutorService scraper = Executors.newSingleThreadScheduledExecutor((runnable) -> {
					Thread thread = new Thread(runnable, "bench-scraper");
					thread.setDaemon(true);
					return thread;
				});
				scraper.scheduleAtFixedRate(() -> scrape(registry), 1, 1, TimeUnit.SECONDS);
				this.scraper = scraper;
				this.context = AsyncContext.create();
			}
			default -> throw new IllegalArgumentException(
					"Unknown metrics setting '" + this.metrics + "': use unbound, bound or observed");
		}
	}

	private static void scrape(SimpleMeterRegistry registry) {
		double sum = 0;
		for (Meter meter : registry.getMeters()) {
			for (Measurement measurement : meter.measure()) {
				sum += measurement.getValue();
			}
		}
		if (Double.isNaN(sum)) {
			throw new IllegalStateException("A meter of the event loop read NaN");
		}
	}

	@TearDown
	public void stop() throws Exception {
		if (this.scraper != null) {
			this.scraper.shutdownNow();
			this.scraper.awaitTermination(10, TimeUnit.SECONDS);
		}
		if (this.meters != null) {
			this.meters.close();
		}
		if (this.context != null) {
			this.context.close();
		}
		if (this.adapter != null) {
			this.adapter.close();
		}
	}

	@Benchmark
	@BenchmarkMode(Mode.Throughput)
	@OutputTimeUnit(TimeUnit.SECONDS)
	@Threads(1)
	@OperationsPerInvocation(SubmitThroughputBenchmark.BATCH)
	public void submitThroughput(SubmitThroughputBenchmark.Producer producer) {
		EventLoopAdapter adapter = this.adapter;
		if (adapter == null) {
			throw new IllegalStateException("Benchmark not set up");
		}
		SubmitThroughputBenchmark.submitBatch(adapter, producer.barrier);
	}

	@Benchmark
	@BenchmarkMode(Mode.Throughput)
	@OutputTimeUnit(TimeUnit.SECONDS)
	@Threads(1)
	@OperationsPerInvocation(SubmitThroughputBenchmark.BATCH)
	public void dispatchThroughput(SubmitThroughputBenchmark.Producer producer) {
		EventLoopAdapter adapter = this.adapter;
		AsyncContext context = this.context;
		if (adapter == null || context == null) {
			throw new IllegalStateException("Benchmark not set up");
		}
		EventLoop loop = adapter.loop();
		for (int i = 1; i < SubmitThroughputBenchmark.BATCH; i++) {
			context.execute(loop, NOOP);
		}
		producer.barrier.arm();
		context.execute(loop, producer.barrier);
		producer.barrier.await();
	}

}
