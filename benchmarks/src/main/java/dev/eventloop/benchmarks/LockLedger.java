package dev.eventloop.benchmarks;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The ledger on an executor, each operation handed to it with
 * {@link CompletableFuture#supplyAsync} and run under the accounts' locks
 * ({@link LockedAccounts}): a fixed pool of four threads
 * ({@link Executors#newFixedThreadPool}), or a virtual thread per operation
 * ({@code Executors.newVirtualThreadPerTaskExecutor()}, Java 21 and later), which is what
 * a Spring Boot application with {@code spring.threads.virtual.enabled=true} runs its
 * {@code @Async} work on.
 */
final class LockLedger implements Ledger {

	static final int THREADS = 4;

	private final ExecutorService pool;

	private final LockedAccounts accounts;

	private LockLedger(int accounts, ExecutorService pool) {
		this.accounts = new LockedAccounts(accounts);
		this.pool = pool;
	}

	/**
	 * The ledger on a fixed pool of {@value #THREADS} platform threads.
	 */
	static LockLedger onPool(int accounts) {
		return new LockLedger(accounts, Executors.newFixedThreadPool(THREADS, (task) -> {
			Thread thread = new Thread(task, "bench-ledger-pool");
			thread.setDaemon(true);
			return thread;
		}));
	}

	/**
	 * The ledger on a new virtual thread per operation.
	 * @throws IllegalStateException before Java 21
	 */
	static LockLedger onVirtualThreads(int accounts) {
		try {
			MethodHandle factory = MethodHandles.publicLookup()
				.findStatic(Executors.class, "newVirtualThreadPerTaskExecutor",
						MethodType.methodType(ExecutorService.class));
			return new LockLedger(accounts, (ExecutorService) factory.invoke());
		}
		catch (NoSuchMethodException ex) {
			throw new IllegalStateException("Virtual threads need Java 21 or later; this is Java "
					+ Runtime.version().feature() + ": run this implementation on a newer JDK", ex);
		}
		catch (Throwable ex) {
			throw new IllegalStateException("Could not create a virtual-thread executor", ex);
		}
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
