package dev.eventloop.sample;

/**
 * Thrown when an account that was never opened is read or debited.
 */
class UnknownAccountException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	UnknownAccountException(String accountId) {
		super("Account '" + accountId + "' does not exist: an account is opened by its first deposit "
				+ "(POST /api/accounts/" + accountId + "/deposits).");
	}

}
