package dev.eventloop.benchmarks;

import java.util.concurrent.CompletableFuture;

import org.springframework.scheduling.annotation.Async;

/**
 * The ledger as a Spring bean with {@code @Async} methods on a four-thread
 * {@code ThreadPoolTaskExecutor}, the accounts guarded by locks ({@link LockedAccounts}):
 * what a Spring user writes without event loops.
 */
@Async(SpringAsyncLedger.EXECUTOR)
public class AsyncLedgerService {

	private final LockedAccounts accounts;

	AsyncLedgerService(LockedAccounts accounts) {
		this.accounts = accounts;
	}

	/**
	 * Add money to an account.
	 * @param account the account
	 * @param amount the amount
	 * @return a future of {@code true}
	 */
	public CompletableFuture<Boolean> deposit(int account, long amount) {
		return CompletableFuture.completedFuture(this.accounts.deposit(account, amount));
	}

	/**
	 * Take money out of an account unless its balance is too low.
	 * @param account the account
	 * @param amount the amount
	 * @return a future of whether the money was taken
	 */
	public CompletableFuture<Boolean> withdraw(int account, long amount) {
		return CompletableFuture.completedFuture(this.accounts.withdraw(account, amount));
	}

	/**
	 * Move money between two accounts under both their locks.
	 * @param from the account to take the money from
	 * @param to the account to pay it into
	 * @param amount the amount
	 * @return a future of whether the money moved
	 */
	public CompletableFuture<Boolean> transfer(int from, int to, long amount) {
		return CompletableFuture.completedFuture(this.accounts.transfer(from, to, amount));
	}

}
