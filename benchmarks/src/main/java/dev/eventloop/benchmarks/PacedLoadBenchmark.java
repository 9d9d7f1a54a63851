package dev.eventloop.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.infra.IterationParams;

/**
 * Idle strategies under paced load. One producer thread submits tasks at a fixed arrival
 * rate: the n-th task is due {@code n / rate} seconds after the iteration started. The
 * producer parks until 150 microseconds before that time (a timed park oversleeps by tens
 * of microseconds), spins the rest, yielding now and then (so that a loop thread that
 * shares its core gets it), and submits the task at once if it is already late. Each task
 * records, on the loop, the time from its due time to its start, so a producer that falls
 * behind shows as latency rather than as fewer samples. The score is tasks per second,
 * which only confirms that the producer kept the pace; the figures are the secondary
 * results of {@link PacedLoadProfiler}
 * ({@code -prof dev.eventloop.benchmarks.PacedLoadProfiler}), per iteration and averaged
 * over the measured iterations:
 * <ul>
 * <li>{@code p50}, {@code p99}: the latency from due time to start, in microseconds;</li>
 * <li>{@code loop.cpu.per.task}: CPU time of the loop thread (from
 * {@link ThreadMXBean#getThreadCpuTime(long)}) per task, in nanoseconds: running the
 * task, spinning, parking and being woken;</li>
 * <li>{@code submit.per.task}: the producer's time inside {@code execute}, in
 * nanoseconds: the enqueue and, for a parked loop, the unpark, the part of a wake-up that
 * the producer pays. The producer's own CPU is no measure: it spins for the pace.</li>
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class PacedLoadBenchmark extends LoopAdapterBenchmark {

	private static final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

	/**
	 * How long before a task is due the producer stops parking and starts spinning: more
	 * than a timed park oversleeps.
	 */
	private static final long PARK_AHEAD = TimeUnit.MICROSECONDS.toNanos(150);

	/** The producer's spin yields once in this many turns. */
	private static final int YIELD_EVERY = 32;

	/**
	 * The loop implementation under test.
	 */
	@Param({ "eventloop", "eventloop-spin", "eventloop-adaptive", "netty" })
	public String implementation = "eventloop";

	/**
	 * Tasks per second.
	 */
	@Param({ "1000", "10000", "100000" })
	public int rate = 10_000;

	// producer thread only (the JMH benchmark thread, which also runs the setups)
	private long period;

	private long nextDue;

	private long submitNanos;

	// set once in the trial setup
	private long loopThreadId;

	// loop thread only while an iteration runs; handed over by the barriers of
	// runOnLoopAndWait at the iteration's setup and teardown
	private long[] latencies = new long[0];

	private int recorded;

	private int dropped;

	// producer thread only: the loop thread's CPU time when the iteration started
	private long cpuAtStart;

	@Override
	protected String implementation() {
		return this.implementation;
	}

	@Override
	void started(LoopAdapter adapter, Blackhole blackhole) {
		if (!threads.isThreadCpuTimeSupported()) {
			throw new IllegalStateException("This JVM cannot measure a thread's CPU time");
		}
		threads.setThreadCpuTimeEnabled(true);
		AtomicLong id = new AtomicLong();
		adapter.runOnLoopAndWait(() -> id.set(Thread.currentThread().getId()));
		this.loopThreadId = id.get();
		this.period = TimeUnit.SECONDS.toNanos(1) / this.rate;
	}

	/**
	 * Reset the recording, sized for the iteration, and start the pace.
	 * @param iteration the iteration's parameters
	 */
	@Setup(Level.Iteration)
	public void startIteration(IterationParams iteration) {
		long seconds = Math.max(1, iteration.getTime().convertTo(TimeUnit.SECONDS));
		long[] buffer = new long[(int) Math.min(Integer.MAX_VALUE - 8, this.rate * seconds * 2 + 1024)];
		adapter().runOnLoopAndWait(() -> {
			this.latencies = buffer;
			this.recorded = 0;
			this.dropped = 0;
		});
		this.submitNanos = 0;
		this.cpuAtStart = threads.getThreadCpuTime(this.loopThreadId);
		this.nextDue = System.nanoTime() + this.period;
	}

	/**
	 * Submit the next task when it is due.
	 */
	@Benchmark
	@Threads(1)
	public void arrive() {
		long due = this.nextDue;
		long now = System.nanoTime();
		if (due - now > PARK_AHEAD) {
			LockSupport.parkNanos(due - now - PARK_AHEAD);
			now = System.nanoTime();
		}
		for (int spins = 1; now - due < 0; spins++) {
			// yield now and then, so that a loop thread sharing this core is not kept off
			// it, but not every time: a yield takes microseconds
			if (spins % YIELD_EVERY == 0) {
				Thread.yield();
			}
			else {
				Thread.onSpinWait();
			}
			now = System.nanoTime();
		}
		adapter().execute(() -> record(due));
		this.submitNanos += System.nanoTime() - now;
		this.nextDue = due + this.period;
	}

	// loop thread
	private void record(long due) {
		long latency = System.nanoTime() - due;
		if (this.recorded < this.latencies.length) {
			this.latencies[this.recorded++] = latency;
		}
		else {
			this.dropped++;
		}
	}

	/**
	 * Wait for the tasks in flight, then hand the iteration's figures to
	 * {@link PacedLoadProfiler}.
	 */
	@TearDown(Level.Iteration)
	public void endIteration() {
		long cpu = threads.getThreadCpuTime(this.loopThreadId) - this.cpuAtStart;
		int[] counts = new int[2];
		// after this barrier, every task of the iteration has run and recorded
		adapter().runOnLoopAndWait(() -> {
			counts[0] = this.recorded;
			counts[1] = this.dropped;
		});
		int tasks = counts[0] + counts[1];
		if (counts[1] > 0 || tasks == 0) {
			throw new IllegalStateException(tasks + " tasks ran, " + counts[1] + " of them not recorded");
		}
		long[] sorted = Arrays.copyOf(this.latencies, counts[0]);
		Arrays.sort(sorted);
		PacedLoadProfiler.publish(new PacedLoadProfiler.Figures(percentile(sorted, 0.50), percentile(sorted, 0.99),
				(double) cpu / tasks, (double) this.submitNanos / tasks));
	}

	private static double percentile(long[] sorted, double fraction) {
		int rank = (int) Math.ceil(fraction * sorted.length);
		return sorted[Math.max(0, rank - 1)] / 1000.0;
	}

}
