package dev.eventloop.sample;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.eventloop.AsyncContext;
import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import dev.eventloop.LoopFuture;
import dev.eventloop.spring.OnEventLoop;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

/**
 * Periodic settlement on its own loop: at a fixed rate it asks every ledger loop for the
 * totals of the accounts it owns and folds them into one report. The report is owned by
 * the settlement loop; the ledger loops' answers come back on it.
 */
// named so that it does not shadow the loop group bean of the same name
@Service("settlementService")
public class Settlement implements DisposableBean {

	private final EventLoop loop;

	private final EventLoopGroup ledgerLoops;

	private final Ledger ledger;

	private final AsyncContext async;

	private final LoopFuture<Void> schedule;

	// owned by the settlement loop
	private Report latest = new Report(0, null, null, 0, 0, 0, BigDecimal.ZERO.setScale(2), List.of());

	// owned by the settlement loop: whether a run is waiting for the ledger loops
	private boolean running;

	public Settlement(@Qualifier("settlement") EventLoop loop, @Qualifier("ledger") EventLoopGroup ledgerLoops,
			Ledger ledger, AsyncContext async, @Value("${sample.settlement.period:1s}") Duration period) {
		this.loop = loop;
		this.ledgerLoops = ledgerLoops;
		this.ledger = ledger;
		this.async = async;
		this.schedule = loop.scheduleAtFixedRate(this::settle, period, period);
	}

	/**
	 * The latest settlement report, read on the settlement loop.
	 */
	@OnEventLoop("settlement")
	public CompletableFuture<Report> latest() {
		return CompletableFuture.completedFuture(this.latest);
	}

	private void settle() {
		assert this.loop.inLoop();
		if (this.running) {
			return;
		}
		this.running = true;
		long started = System.nanoTime();
		List<CompletableFuture<Ledger.ShardTotals>> parts = new ArrayList<>();
		for (EventLoop ledgerLoop : this.ledgerLoops.loops()) {
			parts.add(this.async.dispatch(ledgerLoop, this.ledger::totalsOfCurrentLoop));
		}
		CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).whenComplete((done, ex) -> {
			// each part completes on this loop, so this runs on the settlement loop
			this.running = false;
			if (ex != null) {
				return;
			}
			List<Ledger.ShardTotals> totals = parts.stream().map(CompletableFuture::join).toList();
			this.latest = new Report(this.latest.batch() + 1, Instant.now(), Thread.currentThread().getName(),
					(System.nanoTime() - started) / 1000, totals.stream().mapToInt(Ledger.ShardTotals::accounts).sum(),
					totals.stream().mapToLong(Ledger.ShardTotals::postings).sum(),
					totals.stream()
						.map(Ledger.ShardTotals::balance)
						.reduce(BigDecimal.ZERO.setScale(2), BigDecimal::add),
					totals);
		});
	}

	@Override
	public void destroy() {
		this.schedule.cancel(false);
	}

	/**
	 * One settlement run.
	 *
	 * @param batch run number, from 1
	 * @param settledAt when it completed
	 * @param settledOn the thread that folded the totals (the settlement loop)
	 * @param micros how long the run took, from asking the ledger loops to folding
	 * @param accounts accounts over all ledger loops
	 * @param postings postings over all accounts
	 * @param total sum of all balances
	 * @param loops per-loop totals
	 */
	public record Report(long batch, @Nullable Instant settledAt, @Nullable String settledOn, long micros, int accounts,
			long postings, BigDecimal total, List<Ledger.ShardTotals> loops) {
	}

}
