package dev.eventloop.benchmarks;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Cross-thread submit throughput. Each producer queues a batch of no-op tasks followed by
 * a barrier task and waits for the barrier, so that every batch is fully run before the
 * next starts; the score is tasks per second over all producers.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class SubmitThroughputBenchmark extends LoopAdapterBenchmark {

	/** Tasks per batch, the barrier included. */
	static final int BATCH = 1000;

	/**
	 * The loop implementation under test.
	 */
	@Param({ "eventloop", "netty", "vertx", "jdk", "spring" })
	public String implementation = "eventloop";

	@Override
	protected String implementation() {
		return this.implementation;
	}

	@Benchmark
	@Threads(1)
	@OperationsPerInvocation(BATCH)
	public void oneProducer(Producer producer) {
		submitBatch(adapter(), producer.barrier);
	}

	@Benchmark
	@Threads(2)
	@OperationsPerInvocation(BATCH)
	public void twoProducers(Producer producer) {
		submitBatch(adapter(), producer.barrier);
	}

	static void submitBatch(LoopAdapter adapter, BatchBarrier barrier) {
		for (int i = 1; i < BATCH; i++) {
			adapter.executeNoop();
		}
		barrier.arm();
		adapter.execute(barrier);
		barrier.await();
	}

	/**
	 * Per-producer state: the barrier that ends each of its batches.
	 */
	@State(Scope.Thread)
	public static class Producer {

		final BatchBarrier barrier = new BatchBarrier();

	}

}
