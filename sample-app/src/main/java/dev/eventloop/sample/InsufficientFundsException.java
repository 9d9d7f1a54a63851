package dev.eventloop.sample;

import java.math.BigDecimal;

/**
 * Thrown when a withdrawal or transfer asks for more than an account holds.
 */
class InsufficientFundsException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	InsufficientFundsException(String accountId, BigDecimal balance, BigDecimal amount) {
		super("Account '" + accountId + "' holds " + balance.toPlainString() + ", less than the "
				+ amount.toPlainString() + " asked for: deposit first or ask for less.");
	}

}
