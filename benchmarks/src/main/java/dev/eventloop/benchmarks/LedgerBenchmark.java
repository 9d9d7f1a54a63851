package dev.eventloop.benchmarks;

import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
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
 * The sample application's ledger workload: two client threads, each keeping up to
 * {@value #WINDOW} operations in flight, send a mix of 40 % deposits, 30 % withdrawals
 * and 30 % transfers between random accounts. Operations per second over both clients;
 * the {@link LatencyProfiler} adds the percentiles of each operation's latency, from the
 * client's call to the completion of its future (time waiting in the ledger's queues
 * included, time waiting for a free place in the window not). After the trial, the sum of
 * all balances must equal the opening balances plus the deposits minus the withdrawals
 * that went through.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class LedgerBenchmark extends BenchmarkBase {

	/** Operations per invocation, per client. */
	static final int OPERATIONS = 1000;

	/** Operations in flight per client. */
	static final int WINDOW = 32;

	/**
	 * The ledger implementation under test; {@code virtual-threads} (Java 21 and later)
	 * is left out of the default set, so that the suite runs on the Java 17 baseline:
	 * select it with {@code -p implementation=...} on a newer JDK.
	 */
	@Param({ "eventloop", "eventloop-per-core", "eventloop-adaptive", "locks", "spring-async" })
	public String implementation = "eventloop";

	/**
	 * The number of accounts: few (every lock contended, few loops used) to many.
	 */
	@Param({ "4", "64", "10000" })
	public int accounts = 64;

	// set in setup, read by the client threads (published by JMH's setup barrier)
	private @Nullable Ledger ledger;

	// any thread: deposits minus withdrawals that went through, and failed operations
	private final LongAdder netDeposits = new LongAdder();

	private final LongAdder failures = new LongAdder();

	@Setup
	public void start() {
		this.ledger = Ledger.create(this.implementation, this.accounts);
	}

	@TearDown
	public void stop() throws Exception {
		Ledger ledger = this.ledger;
		if (ledger == null) {
			return;
		}
		try {
			long expected = this.accounts * Ledger.OPENING_BALANCE + this.netDeposits.sum();
			long total = ledger.total();
			if (total != expected || this.failures.sum() != 0) {
				throw new IllegalStateException("Ledger " + this.implementation + " lost track: total " + total
						+ ", expected " + expected + ", failed operations " + this.failures.sum());
			}
		}
		finally {
			ledger.close();
		}
	}

	@Benchmark
	@Threads(2)
	@OperationsPerInvocation(OPERATIONS)
	public void operations(Client client) {
		Ledger ledger = this.ledger;
		if (ledger == null) {
			throw new IllegalStateException("Benchmark not set up");
		}
		for (int i = 0; i < OPERATIONS; i++) {
			client.window.acquireUninterruptibly();
			int kind = client.random.nextInt(100);
			int account = client.random.nextInt(this.accounts);
			long amount = 1 + client.random.nextInt(100);
			long start = System.nanoTime();
			if (kind < 40) {
				complete(ledger.deposit(account, amount), client, start, amount);
			}
			else if (kind < 70) {
				complete(ledger.withdraw(account, amount), client, start, -amount);
			}
			else {
				int to = (account + 1 + client.random.nextInt(this.accounts - 1)) % this.accounts;
				complete(ledger.transfer(account, to, amount), client, start, 0);
			}
		}
		// wait for the whole window to come back
		client.window.acquireUninterruptibly(WINDOW);
		client.window.release(WINDOW);
	}

	private void complete(CompletableFuture<Boolean> operation, Client client, long start, long netDeposit) {
		operation.whenComplete((done, failure) -> {
			LatencyProfiler.record(System.nanoTime() - start);
			if (failure != null) {
				this.failures.increment();
			}
			else if (done) {
				this.netDeposits.add(netDeposit);
			}
			client.window.release();
		});
	}

	/**
	 * One client thread: its window of operations in flight and its random numbers.
	 */
	@State(Scope.Thread)
	public static class Client {

		// released by whichever thread completes an operation
		final Semaphore window = new Semaphore(WINDOW);

		// client thread only
		final SplittableRandom random = new SplittableRandom();

	}

}
