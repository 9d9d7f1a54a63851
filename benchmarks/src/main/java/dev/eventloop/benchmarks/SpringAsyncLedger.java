package dev.eventloop.benchmarks;

import java.util.concurrent.CompletableFuture;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * The ledger behind a real Spring {@code @Async} proxy ({@link AsyncLedgerService}) in a
 * minimal Spring context ({@code @EnableAsync}, one {@link ThreadPoolTaskExecutor} of
 * four threads); closing it closes the context.
 */
final class SpringAsyncLedger implements Ledger {

	static final String EXECUTOR = "ledgerExecutor";

	private final LockedAccounts accounts;

	private final AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();

	private final AsyncLedgerService service;

	SpringAsyncLedger(int accounts) {
		this.accounts = new LockedAccounts(accounts);
		this.context.registerBean(LockedAccounts.class, () -> this.accounts);
		this.context.register(Config.class);
		this.context.refresh();
		this.service = this.context.getBean(AsyncLedgerService.class);
	}

	@Override
	public CompletableFuture<Boolean> deposit(int account, long amount) {
		return this.service.deposit(account, amount);
	}

	@Override
	public CompletableFuture<Boolean> withdraw(int account, long amount) {
		return this.service.withdraw(account, amount);
	}

	@Override
	public CompletableFuture<Boolean> transfer(int from, int to, long amount) {
		return this.service.transfer(from, to, amount);
	}

	@Override
	public long total() {
		return this.accounts.total();
	}

	@Override
	public void close() {
		this.context.close();
	}

	/**
	 * The Spring configuration: {@code @EnableAsync}, the executor and the service.
	 */
	@Configuration(proxyBeanMethods = false)
	@EnableAsync(proxyTargetClass = true)
	static class Config {

		@Bean(EXECUTOR)
		ThreadPoolTaskExecutor ledgerExecutor() {
			ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
			executor.setCorePoolSize(LockLedger.THREADS);
			executor.setMaxPoolSize(LockLedger.THREADS);
			executor.setThreadNamePrefix("bench-ledger-async-");
			executor.setDaemon(true);
			executor.setWaitForTasksToCompleteOnShutdown(true);
			executor.setAwaitTerminationSeconds(10);
			return executor;
		}

		@Bean
		AsyncLedgerService asyncLedgerService(LockedAccounts accounts) {
			return new AsyncLedgerService(accounts);
		}

	}

}
