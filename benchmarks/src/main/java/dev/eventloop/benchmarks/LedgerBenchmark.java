package dev.eventloop.benchmarks;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
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
import org.openjdk.jmh.infra.ThreadParams;

/**
 * The sample application's ledger workload: two client threads, each keeping up to
 * {@value #WINDOW} operations in flight, send a mix of 40 % deposits, 30 % withdrawals
 * and 30 % transfers between random accounts. Operations per second over both clients;
 * the {@link LatencyProfiler} adds the percentiles of each operation's latency, from the
 * client's call to the completion of its future (time waiting in the ledger's queues
 * included, time waiting for a free place in the window not). After the trial, the sum of
 * all balances must equal the opening balances plus the deposits minus the withdrawals
 * that went through.
 * <p>
 * {@code operations} sends from the two benchmark threads, which park when their window
 * is full and are woken by the completions; {@code operationsFromLoops} sends the same
 * mix from two client event loops (one per benchmark thread, which only waits for its
 * loop to finish the invocation), as a WebFlux handler or a Kafka listener on a loop
 * would: a completion that happens on another thread is handed to the client's loop.
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

	// the client loops of operationsFromLoops (parked, unused, in operations)
	private @Nullable EventLoopGroup clientLoops;

	@Setup
	public void start() {
		this.ledger = Ledger.create(this.implementation, this.accounts);
		this.clientLoops = EventLoopGroup.builder("bench-client").threads(2).daemon(true).build();
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
			EventLoopGroup clientLoops = this.clientLoops;
			if (clientLoops != null) {
				clientLoops.shutdownGracefully(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
			}
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
			send(ledger, client, client.release);
		}
		// wait for the whole window to come back
		client.window.acquireUninterruptibly(WINDOW);
		client.window.release(WINDOW);
	}

	@Benchmark
	@Threads(2)
	@OperationsPerInvocation(OPERATIONS)
	public void operationsFromLoops(Client client) throws Exception {
		Ledger ledger = this.ledger;
		EventLoopGroup clientLoops = this.clientLoops;
		if (ledger == null || clientLoops == null) {
			throw new IllegalStateException("Benchmark not set up");
		}
		EventLoop loop = client.loop;
		if (loop == null) {
			throw new IllegalStateException("Client not set up");
		}
		CompletableFuture<Void> done = new CompletableFuture<>();
		loop.execute(new LoopClient(ledger, client, loop, done));
		done.get(1, TimeUnit.MINUTES);
	}

	private void send(Ledger ledger, Client client, Runnable whenDone) {
		int kind = client.random.nextInt(100);
		int account = client.random.nextInt(this.accounts);
		long amount = 1 + client.random.nextInt(100);
		long start = System.nanoTime();
		CompletableFuture<Boolean> operation;
		long netDeposit;
		if (kind < 40) {
			operation = ledger.deposit(account, amount);
			netDeposit = amount;
		}
		else if (kind < 70) {
			operation = ledger.withdraw(account, amount);
			netDeposit = -amount;
		}
		else {
			int to = (account + 1 + client.random.nextInt(this.accounts - 1)) % this.accounts;
			operation = ledger.transfer(account, to, amount);
			netDeposit = 0;
		}
		operation.whenComplete((done, failure) -> {
			LatencyProfiler.record(System.nanoTime() - start);
			if (failure != null) {
				this.failures.increment();
			}
			else if (done) {
				this.netDeposits.add(netDeposit);
			}
			whenDone.run();
		});
	}

	/**
	 * One client thread: its window of operations in flight and its random numbers.
	 */
	@State(Scope.Thread)
	public static class Client {

		// released by whichever thread completes an operation
		final Semaphore window = new Semaphore(WINDOW);

		final Runnable release = this.window::release;

		// client thread only (in operationsFromLoops, its client loop's)
		final SplittableRandom random = new SplittableRandom();

		// operationsFromLoops: the client loop of this thread
		@Nullable EventLoop loop;

		@Setup
		public void chooseLoop(LedgerBenchmark benchmark, ThreadParams thread) {
			EventLoopGroup clientLoops = benchmark.clientLoops;
			if (clientLoops != null) {
				this.loop = clientLoops.loops().get(thread.getThreadIndex() % clientLoops.size());
			}
		}

	}

	/**
	 * One invocation of {@code operationsFromLoops}: {@value #OPERATIONS} operations sent
	 * from a client loop, at most {@value #WINDOW} in flight. Its counters are confined
	 * to that loop: a completion on another thread comes back through the loop's queue.
	 */
	private final class LoopClient implements Runnable {

		private final Ledger ledger;

		private final Client client;

		private final EventLoop loop;

		private final CompletableFuture<Void> done;

		private final Runnable completion = this::completedOne;

		// owned by the client loop
		private int sent;

		private int completed;

		// whether run() is sending: a completion inside it (an operation completed at
		// once) lets the sending loop take the freed place instead of nesting another
		private boolean sending;

		LoopClient(Ledger ledger, Client client, EventLoop loop, CompletableFuture<Void> done) {
			this.ledger = ledger;
			this.client = client;
			this.loop = loop;
			this.done = done;
		}

		@Override
		public void run() {
			if (this.sending) {
				return;
			}
			this.sending = true;
			try {
				while (this.sent - this.completed < WINDOW && this.sent < OPERATIONS) {
					this.sent++;
					send(this.ledger, this.client, this.completion);
				}
			}
			finally {
				this.sending = false;
			}
		}

		private void completedOne() {
			if (!this.loop.inLoop()) {
				this.loop.execute(this.completion);
				return;
			}
			this.completed++;
			if (this.completed == OPERATIONS) {
				this.done.complete(null);
			}
			else {
				run();
			}
		}

	}

}
