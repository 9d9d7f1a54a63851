package dev.eventloop.sample;

import java.math.BigDecimal;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Checks of request values, each failing with an {@link InvalidInputException} that says
 * what is accepted. A rejected value is echoed back as at most {@value #ECHO_LIMIT}
 * characters, whatever its size.
 */
final class Inputs {

	static final BigDecimal MAX_AMOUNT = new BigDecimal("1000000.00");

	/**
	 * Longest echo of a rejected value, before the note of its full length.
	 */
	static final int ECHO_LIMIT = 40;

	private static final Pattern ACCOUNT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,31}");

	private static final Pattern WHOLE_NUMBER = Pattern.compile("-?[0-9]{1,18}");

	// digits before the decimal point of the largest amount
	private static final int MAX_INTEGER_DIGITS = MAX_AMOUNT.precision() - MAX_AMOUNT.scale();

	// digits of an amount written with more decimals than it needs, such as 1.50000
	private static final int MAX_PRECISION = 32;

	private Inputs() {
	}

	static String accountId(String field, @Nullable String value) {
		if (value == null || !ACCOUNT_ID.matcher(value).matches()) {
			throw new InvalidInputException(field, value, "'" + field + "' must be 1 to 32 letters, digits, '-' or '_' "
					+ "starting with a letter or digit, but was '" + echo(value) + "'.");
		}
		return value;
	}

	/**
	 * Check an amount by its digits and exponent before any arithmetic, so that a value
	 * such as {@code 1e100000000} is refused at once instead of being expanded.
	 */
	static BigDecimal amount(@Nullable BigDecimal value) {
		if (value == null) {
			throw new InvalidInputException("amount", null,
					"'amount' is required: send a JSON body such as {\"amount\": 25.00}.");
		}
		if (value.signum() <= 0) {
			throw new InvalidInputException("amount", value, "'amount' must be positive, but was " + echo(value)
					+ ": to take money out, POST to the account's /withdrawals.");
		}
		if ((long) value.precision() - value.scale() > MAX_INTEGER_DIGITS) {
			throw tooLarge(value);
		}
		if (value.scale() > 2 && (value.precision() > MAX_PRECISION || value.stripTrailingZeros().scale() > 2)) {
			throw new InvalidInputException("amount", value,
					"'amount' must have at most 2 decimal places, but was " + echo(value) + ".");
		}
		if (value.compareTo(MAX_AMOUNT) > 0) {
			throw tooLarge(value);
		}
		return value.setScale(2);
	}

	private static InvalidInputException tooLarge(BigDecimal value) {
		return new InvalidInputException("amount", value,
				"'amount' must be at most " + MAX_AMOUNT.toPlainString() + ", but was " + echo(value) + ".");
	}

	/**
	 * Parse a whole number request parameter within bounds.
	 */
	static long wholeNumber(String field, @Nullable String value, long min, long max) {
		if (value != null && WHOLE_NUMBER.matcher(value).matches()) {
			long number = Long.parseLong(value);
			if (number >= min && number <= max) {
				return number;
			}
		}
		throw new InvalidInputException(field, value, "'" + field + "' must be a whole number from " + min + " to "
				+ max + ", but was '" + echo(value) + "'.");
	}

	/**
	 * A short text for a rejected value: the value itself when short, otherwise its first
	 * {@value #ECHO_LIMIT} characters and its length. A number with many digits or a
	 * large exponent is written in scientific notation, never expanded.
	 */
	static String echo(@Nullable Object value) {
		if (value instanceof BigDecimal number) {
			return echo(number);
		}
		return shorten(String.valueOf(value), ECHO_LIMIT);
	}

	private static String echo(BigDecimal value) {
		// toPlainString() of 1E+100000000 would be a hundred million characters
		return shorten((Math.abs((long) value.scale()) <= ECHO_LIMIT) ? value.toPlainString() : value.toString(),
				ECHO_LIMIT);
	}

	/**
	 * The text itself when at most {@code limit} characters long, otherwise its first
	 * {@code limit} characters and its length.
	 */
	static String shorten(String text, int limit) {
		if (text.length() <= limit) {
			return text;
		}
		int end = Character.isHighSurrogate(text.charAt(limit - 1)) ? limit - 1 : limit;
		return text.substring(0, end) + "… (" + text.length() + " characters)";
	}

}
