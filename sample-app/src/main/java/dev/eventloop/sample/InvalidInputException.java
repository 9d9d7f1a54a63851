package dev.eventloop.sample;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when a request carries a bad value; answered with a 400 problem detail naming
 * the field and echoing a short prefix of the value.
 */
class InvalidInputException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final String field;

	private final @Nullable String rejectedValue;

	InvalidInputException(String field, @Nullable Object rejectedValue, String message) {
		super(message);
		this.field = field;
		this.rejectedValue = (rejectedValue != null) ? Inputs.echo(rejectedValue) : null;
	}

	String getField() {
		return this.field;
	}

	/**
	 * The rejected value as a short text (see {@link Inputs#echo(Object)}).
	 */
	@Nullable String getRejectedValue() {
		return this.rejectedValue;
	}

}
