package dev.eventloop.sample;

import java.math.BigDecimal;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Checks of request values, each failing with an {@link InvalidInputException} that says
 * what is accepted.
 */
final class Inputs {

	static final BigDecimal MAX_AMOUNT = new BigDecimal("1000000.00");

	private static final Pattern ACCOUNT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,31}");

	private Inputs() {
	}

	static String accountId(String field, @Nullable String value) {
		if (value == null || !ACCOUNT_ID.matcher(value).matches()) {
			throw new InvalidInputException(field, value, "'" + field + "' must be 1 to 32 letters, digits, '-' or '_' "
					+ "starting with a letter or digit, but was '" + value + "'.");
		}
		return value;
	}

	static BigDecimal amount(@Nullable BigDecimal value) {
		if (value == null) {
			throw new InvalidInputException("amount", null,
					"'amount' is required: send a JSON body such as {\"amount\": 25.00}.");
		}
		if (value.signum() <= 0) {
			throw new InvalidInputException("amount", value, "'amount' must be positive, but was "
					+ value.toPlainString() + ": to take money out, POST to the account's /withdrawals.");
		}
		if (value.stripTrailingZeros().scale() > 2) {
			throw new InvalidInputException("amount", value,
					"'amount' must have at most 2 decimal places, but was " + value.toPlainString() + ".");
		}
		if (value.compareTo(MAX_AMOUNT) > 0) {
			throw new InvalidInputException("amount", value, "'amount' must be at most " + MAX_AMOUNT.toPlainString()
					+ ", but was " + value.toPlainString() + ".");
		}
		return value.setScale(2);
	}

}
