package dev.eventloop.benchmarks;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Accounts shared by the threads of a pool, each guarded by its own
 * {@link ReentrantLock}. A transfer holds both accounts' locks, taken in id order so that
 * two opposite transfers cannot deadlock.
 */
final class LockedAccounts {

	private final Account[] accounts;

	LockedAccounts(int accounts) {
		this.accounts = new Account[accounts];
		for (int i = 0; i < accounts; i++) {
			this.accounts[i] = new Account();
		}
	}

	boolean deposit(int id, long amount) {
		Account account = this.accounts[id];
		account.lock.lock();
		try {
			account.deposit(amount);
			return true;
		}
		finally {
			account.lock.unlock();
		}
	}

	boolean withdraw(int id, long amount) {
		Account account = this.accounts[id];
		account.lock.lock();
		try {
			return account.withdraw(amount);
		}
		finally {
			account.lock.unlock();
		}
	}

	boolean transfer(int from, int to, long amount) {
		Account source = this.accounts[from];
		Account target = this.accounts[to];
		ReentrantLock first = (from < to) ? source.lock : target.lock;
		ReentrantLock second = (from < to) ? target.lock : source.lock;
		first.lock();
		try {
			second.lock();
			try {
				if (!source.withdraw(amount)) {
					return false;
				}
				target.deposit(amount);
				return true;
			}
			finally {
				second.unlock();
			}
		}
		finally {
			first.unlock();
		}
	}

	long total() {
		long total = 0;
		for (Account account : this.accounts) {
			account.lock.lock();
			try {
				total += account.balance;
			}
			finally {
				account.lock.unlock();
			}
		}
		return total;
	}

	/**
	 * One account: its fields are read and written only under its lock.
	 */
	private static final class Account {

		final ReentrantLock lock = new ReentrantLock();

		// guarded by lock
		private long balance = Ledger.OPENING_BALANCE;

		// guarded by lock
		private long postings;

		void deposit(long amount) {
			this.balance += amount;
			this.postings++;
		}

		boolean withdraw(long amount) {
			if (this.balance < amount) {
				return false;
			}
			this.balance -= amount;
			this.postings++;
			return true;
		}

	}

}
