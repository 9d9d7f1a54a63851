package dev.eventloop.sample;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Generates ledger traffic (deposits, withdrawals and transfers over a few hundred
 * accounts) from one producer thread at a target rate, so the loops can be watched under
 * pressure. Stops by itself at its deadline, on request, and before the loops stop at
 * shutdown.
 */
@Component
public class LoadGenerator implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(LoadGenerator.class);

	private static final BigDecimal OPENING = new BigDecimal("1000.00");

	private static final int SLICES_PER_SECOND = 100;

	private final Ledger ledger;

	private final int accounts;

	private final int rate;

	private final Semaphore inFlight;

	// guarded by this
	private @Nullable Thread producer;

	// written under this, read by the producer thread and status callers
	private volatile @Nullable Instant until;

	// written under this, read by the producer thread
	private volatile boolean stopRequested;

	// guarded by this
	private boolean lifecycleRunning;

	// incremented by the producer and by loop threads completing operations
	private final AtomicLong issued = new AtomicLong();

	private final AtomicLong completed = new AtomicLong();

	private final AtomicLong declined = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	public LoadGenerator(Ledger ledger, @Value("${sample.load.accounts:256}") int accounts,
			@Value("${sample.load.rate:5000}") int rate, @Value("${sample.load.max-in-flight:50000}") int maxInFlight) {
		this.ledger = ledger;
		this.accounts = accounts;
		this.rate = rate;
		this.inFlight = new Semaphore(maxInFlight);
	}

	/**
	 * Start generating load. One load runs at a time: while it runs, starting another is
	 * refused with a {@code DemoBusyException} that says how to stop it.
	 * @param duration how long to run, or {@code null} to run until stopped
	 * @return the status after starting
	 */
	public synchronized Status start(@Nullable Duration duration) {
		if (this.producer != null && this.producer.isAlive()) {
			Instant running = this.until;
			throw new DemoBusyException("load",
					"The load generator is already running, "
							+ ((running != null) ? "until " + running : "until stopped")
							+ ": stop it with DELETE /api/demo/load, or wait for it to end, then start it again.");
		}
		this.until = (duration != null) ? Instant.now().plus(duration) : null;
		this.stopRequested = false;
		Thread thread = new Thread(this::produce, "load-generator");
		thread.setDaemon(true);
		this.producer = thread;
		thread.start();
		logger.info("Load generator started at " + this.rate + " operations per second"
				+ ((duration != null) ? " for " + duration.toSeconds() + " s" : " until stopped"));
		return status();
	}

	/**
	 * Stop generating load and wait (briefly) for the producer thread to end.
	 * @return the status after stopping
	 */
	public Status halt() {
		Thread thread;
		synchronized (this) {
			this.stopRequested = true;
			thread = this.producer;
		}
		if (thread != null) {
			try {
				thread.join(5000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		return status();
	}

	/**
	 * Report what the generator has done so far.
	 * @return the status
	 */
	public Status status() {
		Thread thread;
		synchronized (this) {
			thread = this.producer;
		}
		return new Status(thread != null && thread.isAlive(), this.rate, this.until, this.issued.get(),
				this.completed.get(), this.declined.get(), this.failed.get());
	}

	private void produce() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		for (int i = 0; i < this.accounts && running(); i++) {
			String opened = account(i);
			issue(() -> this.ledger.deposit(opened, OPENING));
		}
		long slice = TimeUnit.SECONDS.toNanos(1) / SLICES_PER_SECOND;
		int perSlice = Math.max(1, this.rate / SLICES_PER_SECOND);
		long next = System.nanoTime();
		while (running()) {
			for (int i = 0; i < perSlice && running(); i++) {
				String account = account(random.nextInt(this.accounts));
				BigDecimal amount = BigDecimal.valueOf(random.nextInt(1, 10_000), 2);
				int kind = random.nextInt(10);
				if (kind < 5) {
					issue(() -> this.ledger.deposit(account, amount));
				}
				else if (kind < 8) {
					issue(() -> this.ledger.withdraw(account, amount));
				}
				else {
					String other = account(random.nextInt(this.accounts));
					if (!other.equals(account)) {
						issue(() -> Transfers.transfer(this.ledger, account, other, amount));
					}
				}
			}
			next += slice;
			long wait = next - System.nanoTime();
			if (wait > 0) {
				LockSupport.parkNanos(wait);
			}
			else if (-wait > slice * SLICES_PER_SECOND) {
				// more than a second behind: drop the backlog instead of bursting
				next = System.nanoTime();
			}
		}
		logger.info("Load generator stopped after " + this.issued.get() + " operations");
	}

	private boolean running() {
		Instant deadline = this.until;
		return !this.stopRequested && !Thread.currentThread().isInterrupted()
				&& (deadline == null || Instant.now().isBefore(deadline));
	}

	private void issue(Supplier<CompletableFuture<?>> operation) {
		try {
			if (!this.inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
				return;
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return;
		}
		this.issued.incrementAndGet();
		CompletableFuture<?> future;
		try {
			future = operation.get();
		}
		catch (RuntimeException ex) {
			// for example rejected because the loops are shutting down
			this.inFlight.release();
			this.failed.incrementAndGet();
			return;
		}
		future.whenComplete((result, ex) -> {
			this.inFlight.release();
			if (ex == null) {
				this.completed.incrementAndGet();
			}
			else if (unwrap(ex) instanceof InsufficientFundsException) {
				this.declined.incrementAndGet();
			}
			else {
				this.failed.incrementAndGet();
			}
		});
	}

	private static Throwable unwrap(Throwable ex) {
		return (ex.getCause() != null && ex instanceof CompletionException) ? ex.getCause() : ex;
	}

	private static String account(int index) {
		return "load-" + index;
	}

	@Override
	public synchronized void start() {
		this.lifecycleRunning = true;
	}

	@Override
	public void stop() {
		halt();
		synchronized (this) {
			this.lifecycleRunning = false;
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return this.lifecycleRunning;
	}

	/**
	 * What the load generator has done.
	 *
	 * @param running whether it is generating load now
	 * @param rate target operations per second
	 * @param until when it stops by itself, {@code null} when it runs until stopped
	 * @param issued operations issued
	 * @param completed operations completed
	 * @param declined withdrawals refused for insufficient funds
	 * @param failed operations failed otherwise
	 */
	public record Status(boolean running, int rate, @Nullable Instant until, long issued, long completed, long declined,
			long failed) {
	}

}
