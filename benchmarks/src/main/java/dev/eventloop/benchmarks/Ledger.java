package dev.eventloop.benchmarks;

import java.util.concurrent.CompletableFuture;

import dev.eventloop.IdleStrategy;

/**
 * The sample application's ledger reduced to its operations on accounts numbered from 0:
 * deposits, withdrawals refused when the balance is too low, and transfers between two
 * accounts. Every account opens with {@value #OPENING_BALANCE}. Each implementation keeps
 * the accounts safe in its own way and completes the returned futures on its own threads.
 */
interface Ledger extends AutoCloseable {

	/** Balance of every account when the ledger is created. */
	long OPENING_BALANCE = 1_000_000;

	/**
	 * Add money to an account.
	 * @param account the account
	 * @param amount the amount, positive
	 * @return a future of {@code true}
	 */
	CompletableFuture<Boolean> deposit(int account, long amount);

	/**
	 * Take money out of an account unless its balance is too low.
	 * @param account the account
	 * @param amount the amount, positive
	 * @return a future of whether the money was taken
	 */
	CompletableFuture<Boolean> withdraw(int account, long amount);

	/**
	 * Move money from one account to another: a withdrawal, then, if it was not refused,
	 * a deposit.
	 * @param from the account to take the money from
	 * @param to the account to pay it into, not {@code from}
	 * @param amount the amount, positive
	 * @return a future of whether the money moved
	 */
	CompletableFuture<Boolean> transfer(int from, int to, long amount);

	/**
	 * Sum the balances of all accounts, once no operation is in flight.
	 * @return the total
	 * @throws Exception if the sum cannot be taken
	 */
	long total() throws Exception;

	/**
	 * Shut the ledger's threads down.
	 */
	@Override
	void close() throws Exception;

	/**
	 * Create the ledger for an implementation name.
	 * @param implementation {@code eventloop} (accounts confined to four loops, as in the
	 * sample), {@code eventloop-per-core} (one loop per processor), {@code eventloop-one}
	 * (every account on one loop), {@code eventloop-one-adaptive} and
	 * {@code eventloop-one-spin} (the same with {@code IdleStrategy.ADAPTIVE} or
	 * {@code IdleStrategy.SPIN_THEN_PARK}), {@code eventloop-adaptive} (four loops with
	 * {@code IdleStrategy.ADAPTIVE}), {@code eventloop-per-core-adaptive} and
	 * {@code eventloop-per-core-spin} (one loop per processor with
	 * {@code IdleStrategy.ADAPTIVE} or {@code IdleStrategy.SPIN_THEN_PARK}),
	 * {@code locks} (a fixed pool of four threads and a lock per account),
	 * {@code virtual-threads} (a virtual thread per operation, locks as for
	 * {@code locks}; Java 21 and later) or {@code spring-async} (Spring {@code @Async}
	 * methods on a four-thread {@code ThreadPoolTaskExecutor}, locks as for
	 * {@code locks})
	 * @param accounts the number of accounts
	 * @return a started ledger
	 */
	static Ledger create(String implementation, int accounts) {
		return switch (implementation) {
			case "eventloop" -> new LoopLedger(accounts, LoopLedger.LOOPS, IdleStrategy.PARK);
			case "eventloop-per-core" ->
				new LoopLedger(accounts, Runtime.getRuntime().availableProcessors(), IdleStrategy.PARK);
			case "eventloop-adaptive" -> new LoopLedger(accounts, LoopLedger.LOOPS, IdleStrategy.ADAPTIVE);
			case "eventloop-per-core-adaptive" ->
				new LoopLedger(accounts, Runtime.getRuntime().availableProcessors(), IdleStrategy.ADAPTIVE);
			case "eventloop-per-core-spin" ->
				new LoopLedger(accounts, Runtime.getRuntime().availableProcessors(), IdleStrategy.SPIN_THEN_PARK);
			case "eventloop-one" -> new LoopLedger(accounts, 1, IdleStrategy.PARK);
			case "eventloop-one-adaptive" -> new LoopLedger(accounts, 1, IdleStrategy.ADAPTIVE);
			case "eventloop-one-spin" -> new LoopLedger(accounts, 1, IdleStrategy.SPIN_THEN_PARK);
			case "locks" -> LockLedger.onPool(accounts);
			case "virtual-threads" -> LockLedger.onVirtualThreads(accounts);
			case "spring-async" -> new SpringAsyncLedger(accounts);
			default -> throw new IllegalArgumentException("Unknown implementation '" + implementation
					+ "': use eventloop, eventloop-per-core, eventloop-one, eventloop-one-adaptive, eventloop-one-spin, "
					+ "eventloop-adaptive, eventloop-per-core-adaptive, "
					+ "eventloop-per-core-spin, locks, virtual-threads or spring-async");
		};
	}

}
