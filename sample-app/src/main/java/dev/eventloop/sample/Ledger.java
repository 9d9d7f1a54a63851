package dev.eventloop.sample;

import java.math.BigDecimal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.eventloop.AsyncContext;
import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import dev.eventloop.spring.OnEventLoop;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

/**
 * The ledger: every account lives on one loop of the {@code ledger} group, chosen by its
 * id, and every operation on it runs on that loop. Each loop has its own shard of
 * accounts, so no two threads ever touch the same map or account and nothing is locked.
 */
// named so that it does not shadow the loop group bean of the same name
@Service("ledgerService")
public class Ledger {

	private final AsyncContext async;

	private final StatementArchive archive;

	private final int auditRounds;

	// built in the constructor, read-only afterwards; each shard is owned by its loop
	private final Map<EventLoop, Shard> shards = new IdentityHashMap<>();

	public Ledger(@Qualifier("ledger") EventLoopGroup ledger, AsyncContext async, StatementArchive archive,
			@Value("${sample.ledger.audit-rounds:8}") int auditRounds) {
		this.async = async;
		this.archive = archive;
		this.auditRounds = auditRounds;
		for (EventLoop loop : ledger.loops()) {
			this.shards.put(loop, new Shard(loop.name()));
		}
	}

	/**
	 * Add money to an account, opening it on first use.
	 */
	@OnEventLoop(value = "ledger", key = "#accountId")
	public CompletableFuture<AccountView> deposit(String accountId, BigDecimal amount) {
		Shard shard = shard();
		Account account = shard.accounts.computeIfAbsent(accountId, Account::new);
		account.post("deposit", amount, shard.digest, this.auditRounds);
		return CompletableFuture.completedFuture(account.view(shard.loop));
	}

	/**
	 * Take money out of an account; refused when the balance is too low.
	 */
	@OnEventLoop(value = "ledger", key = "#accountId")
	public CompletableFuture<AccountView> withdraw(String accountId, BigDecimal amount) {
		Shard shard = shard();
		Account account = shard.existing(accountId);
		if (account.balance().compareTo(amount) < 0) {
			throw new InsufficientFundsException(accountId, account.balance(), amount);
		}
		account.post("withdrawal", amount.negate(), shard.digest, this.auditRounds);
		return CompletableFuture.completedFuture(account.view(shard.loop));
	}

	/**
	 * Read an account.
	 */
	@OnEventLoop(value = "ledger", key = "#accountId")
	public CompletableFuture<AccountView> account(String accountId) {
		Shard shard = shard();
		return CompletableFuture.completedFuture(shard.existing(accountId).view(shard.loop));
	}

	/**
	 * Build an account's statement: recent postings from memory, older ones from the slow
	 * archive. The archive call is offloaded, so the account's loop keeps serving other
	 * accounts (and this one) while it waits; the result comes back on the account's
	 * loop.
	 */
	@OnEventLoop(value = "ledger", key = "#accountId")
	public CompletableFuture<Statement> statement(String accountId) {
		Shard shard = shard();
		List<Posting> recent = shard.existing(accountId).recentPostings();
		EventLoop loop = EventLoop.current().orElseThrow();
		long tasksBefore = loop.stats().tasks().completed();
		return this.async.offload(() -> new Archived(this.archive.fetch(accountId), describe(Thread.currentThread())))
			.thenApply((archived) -> {
				// back on the account's loop: reading the account here is safe
				Account account = shard.existing(accountId);
				return new Statement(accountId, account.balance(), recent, archived.lines(), shard.loop,
						archived.thread(), Thread.currentThread().getName(),
						loop.stats().tasks().completed() - tasksBefore);
			});
	}

	/**
	 * Totals of the accounts owned by the calling loop; runs on a ledger loop, for the
	 * settlement.
	 */
	ShardTotals totalsOfCurrentLoop() {
		Shard shard = shard();
		BigDecimal total = BigDecimal.ZERO.setScale(2);
		long postings = 0;
		for (Account account : shard.accounts.values()) {
			total = total.add(account.balance());
			postings += account.postings();
		}
		return new ShardTotals(shard.loop, shard.accounts.size(), postings, total);
	}

	/**
	 * Show the deadlock guard: on the account's loop, submit work to this same loop and
	 * wait for it. Without the guard this would hang the loop forever; with it the wait
	 * is refused at once with a {@link dev.eventloop.BlockingOnLoopException}.
	 */
	@OnEventLoop(value = "ledger", key = "#accountId")
	public CompletableFuture<AccountView> accountTheBlockingWay(String accountId) {
		EventLoop loop = EventLoop.current().orElseThrow();
		Shard shard = shard();
		// queued behind the running task, so it cannot be done yet: join() would deadlock
		AccountView view = loop.submit(() -> shard.existing(accountId).view(shard.loop)).join();
		return CompletableFuture.completedFuture(view);
	}

	private static String describe(Thread thread) {
		// virtual threads (the offload executor on Java 21+) have no name
		return thread.getName().isEmpty() ? thread.toString() : thread.getName();
	}

	private Shard shard() {
		EventLoop loop = EventLoop.current()
			.orElseThrow(() -> new IllegalStateException("Ledger state must be used on a 'ledger' loop"));
		Shard shard = this.shards.get(loop);
		if (shard == null) {
			throw new IllegalStateException("Loop '" + loop.name() + "' is not a 'ledger' loop");
		}
		return shard;
	}

	private record Archived(List<String> lines, String thread) {
	}

	/**
	 * The accounts of one ledger loop, with the loop's own digest. Owned by that loop.
	 */
	private static final class Shard {

		private final String loop;

		// owned by the shard's loop
		private final Map<String, Account> accounts = new HashMap<>();

		// owned by the shard's loop (MessageDigest is not thread-safe)
		private final MessageDigest digest;

		Shard(String loop) {
			this.loop = loop;
			try {
				this.digest = MessageDigest.getInstance("SHA-256");
			}
			catch (NoSuchAlgorithmException ex) {
				throw new IllegalStateException(ex);
			}
		}

		Account existing(String accountId) {
			Account account = this.accounts.get(accountId);
			if (account == null) {
				throw new UnknownAccountException(accountId);
			}
			return account;
		}

	}

	/**
	 * Totals of the accounts of one ledger loop.
	 *
	 * @param loop the loop
	 * @param accounts number of accounts it owns
	 * @param postings postings over those accounts
	 * @param balance sum of their balances
	 */
	public record ShardTotals(String loop, int accounts, long postings, BigDecimal balance) {
	}

}
