package dev.eventloop.benchmarks;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.eventloop.AsyncContext;
import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import dev.eventloop.IdleStrategy;
import dev.eventloop.LoopFuture;

/**
 * The ledger as the sample application builds it: every account is confined to the loop
 * of a group (of four in the sample) that its id maps to ({@code forKey}), and every
 * operation on it runs there, through
 * {@link AsyncContext#dispatch(EventLoopGroup, Object, java.util.concurrent.Callable)} as
 * {@code @OnEventLoop(key = ..)} does. A transfer withdraws on the source account's loop
 * and, from there, deposits on the target account's loop (inline when it is the same
 * loop); the deposit's future comes back to the source loop, which completes the
 * transfer. Nothing is locked.
 */
final class LoopLedger implements Ledger {

	/** The sample's number of loops. */
	static final int LOOPS = 4;

	private final EventLoopGroup group;

	private final AsyncContext context = AsyncContext.create();

	private final Account[] accounts;

	LoopLedger(int accounts, int loops, IdleStrategy idleStrategy) {
		this.group = EventLoopGroup.builder("bench-ledger")
			.threads(loops)
			.idleStrategy(idleStrategy)
			.daemon(true)
			.build();
		this.accounts = new Account[accounts];
		for (int i = 0; i < accounts; i++) {
			this.accounts[i] = new Account(i);
		}
	}

	@Override
	public CompletableFuture<Boolean> deposit(int account, long amount) {
		Account target = this.accounts[account];
		return this.context.dispatch(this.group, target.key, () -> target.deposit(amount));
	}

	@Override
	public CompletableFuture<Boolean> withdraw(int account, long amount) {
		Account source = this.accounts[account];
		return this.context.dispatch(this.group, source.key, () -> source.withdraw(amount));
	}

	@Override
	public CompletableFuture<Boolean> transfer(int from, int to, long amount) {
		Account source = this.accounts[from];
		Account target = this.accounts[to];
		return this.context.dispatch(this.group, source.key, () -> source.withdraw(amount))
			.thenCompose((withdrawn) -> withdrawn
					? this.context.dispatch(this.group, target.key, () -> target.deposit(amount))
					: LoopFuture.completed(false));
	}

	@Override
	public long total() throws Exception {
		long total = 0;
		for (EventLoop loop : this.group.loops()) {
			total += loop.submit(() -> sumOwnedBy(loop)).get(10, TimeUnit.SECONDS);
		}
		return total;
	}

	private long sumOwnedBy(EventLoop loop) {
		long sum = 0;
		for (Account account : this.accounts) {
			if (this.group.forKey(account.key) == loop) {
				sum += account.balance;
			}
		}
		return sum;
	}

	@Override
	public void close() throws Exception {
		this.context.close();
		this.group.shutdownGracefully(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
	}

	/**
	 * One account, read and written only on the loop its key maps to.
	 */
	private static final class Account {

		// boxed once, so that dispatching by key allocates nothing for the key
		final Integer key;

		// owned by the account's loop
		private long balance = OPENING_BALANCE;

		// owned by the account's loop
		private long postings;

		Account(int id) {
			this.key = id;
		}

		boolean deposit(long amount) {
			this.balance += amount;
			this.postings++;
			return true;
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
