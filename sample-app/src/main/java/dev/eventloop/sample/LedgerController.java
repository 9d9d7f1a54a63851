package dev.eventloop.sample;

import java.math.BigDecimal;
import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * REST API of the ledger. Every handler returns at once with a future; the request thread
 * is released while the account's loop does the work.
 */
@RestController
@RequestMapping("/api")
class LedgerController {

	private final Ledger ledger;

	private final Settlement settlement;

	LedgerController(Ledger ledger, Settlement settlement) {
		this.ledger = ledger;
		this.settlement = settlement;
	}

	@PostMapping("/accounts/{accountId}/deposits")
	CompletableFuture<AccountView> deposit(@PathVariable String accountId, @RequestBody AmountRequest request) {
		return this.ledger.deposit(Inputs.accountId("accountId", accountId), Inputs.amount(request.amount()));
	}

	@PostMapping("/accounts/{accountId}/withdrawals")
	CompletableFuture<AccountView> withdraw(@PathVariable String accountId, @RequestBody AmountRequest request) {
		return this.ledger.withdraw(Inputs.accountId("accountId", accountId), Inputs.amount(request.amount()));
	}

	@GetMapping("/accounts/{accountId}")
	CompletableFuture<AccountView> account(@PathVariable String accountId) {
		return this.ledger.account(Inputs.accountId("accountId", accountId));
	}

	@GetMapping("/accounts/{accountId}/statement")
	CompletableFuture<Statement> statement(@PathVariable String accountId) {
		return this.ledger.statement(Inputs.accountId("accountId", accountId));
	}

	/**
	 * Move money between two accounts: the withdrawal runs on the source account's loop,
	 * then the deposit on the target account's loop (inline when it is the same loop).
	 */
	@PostMapping("/transfers")
	CompletableFuture<TransferView> transfer(@RequestBody TransferRequest request) {
		String from = Inputs.accountId("from", request.from());
		String to = Inputs.accountId("to", request.to());
		if (from.equals(to)) {
			throw new InvalidInputException("to", to, "'to' must differ from 'from', both were '" + to + "'.");
		}
		BigDecimal amount = Inputs.amount(request.amount());
		return Transfers.transfer(this.ledger, from, to, amount);
	}

	@GetMapping("/settlement")
	CompletableFuture<Settlement.Report> settlement() {
		return this.settlement.latest();
	}

	/**
	 * Body of a deposit or withdrawal.
	 *
	 * @param amount the amount, positive, at most 2 decimal places
	 */
	record AmountRequest(@Nullable BigDecimal amount) {
	}

	/**
	 * Body of a transfer.
	 *
	 * @param from source account id
	 * @param to target account id
	 * @param amount the amount, positive, at most 2 decimal places
	 */
	record TransferRequest(@Nullable String from, @Nullable String to, @Nullable BigDecimal amount) {
	}

}
