package dev.eventloop.sample;

import java.math.BigDecimal;
import java.util.concurrent.CompletableFuture;

/**
 * Transfers between accounts, composed from the ledger's per-account operations without
 * ever blocking a loop.
 */
final class Transfers {

	private Transfers() {
	}

	static CompletableFuture<TransferView> transfer(Ledger ledger, String from, String to, BigDecimal amount) {
		return ledger.withdraw(from, amount)
			.thenCompose((debited) -> ledger.deposit(to, amount)
				.thenApply((credited) -> new TransferView(amount, debited, credited)));
	}

}
