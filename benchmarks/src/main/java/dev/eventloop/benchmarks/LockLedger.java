package dev.eventloop.benchmarks;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The ledger on a fixed pool of four threads ({@link Executors#newFixedThreadPool}), each
 * operation handed to the pool with {@link CompletableFuture#supplyAsync} and run under
 * the accounts' locks ({@link LockedAccounts}).
 */
final class LockLedger implements Ledger {

	static final int THREADS = 4;

	private final ExecutorService pool = Executors.newFixedThreadPool(THREADS, (task) -> {
		Thread thread = new Thread(task, "bench-ledger-pool");
		thread.setDaemon(true);
		return thread;
	});

	private final LockedAccounts accounts;

	LockLedger(int accounts) {
		this.accounts = new LockedAccounts(accounts);
	}

	@Override
	public CompletableFuture<Boolean> deposit(int account, long amount) {
		return CompletableFuture.supplyAsync(() -> this.accounts.deposit(account, amount), this.pool);
	}

	@Override
	public CompletableFuture<Boolean> withdraw(int account, long amount) {
		return CompletableFuture.supplyAsync(() -> this.accounts.withdraw(account, amount), this.pool);
	}

	@Override
	public CompletableFuture<Boolean> transfer(int from, int to, long amount) {
		return CompletableFuture.supplyAsync(() -> this.accounts.transfer(from, to, amount), this.pool);
	}

	@Override
	public long total() {
		return this.accounts.total();
	}

	@Override
	public void close() throws InterruptedException {
		this.pool.shutdown();
		if (!this.pool.awaitTermination(10, TimeUnit.SECONDS)) {
			throw new IllegalStateException("Ledger pool did not terminate within 10 seconds");
		}
	}

}
