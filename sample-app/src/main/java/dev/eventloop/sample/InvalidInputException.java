package dev.eventloop.sample;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when a request carries a bad value; answered with a 400 problem detail naming
 * the field.
 */
class InvalidInputException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final String field;

	private final @Nullable Object rejectedValue;

	InvalidInputException(String field, @Nullable Object rejectedValue, String message) {
		super(message);
		this.field = field;
		this.rejectedValue = rejectedValue;
	}

	String getField() {
		return this.field;
	}

	@Nullable Object getRejectedValue() {
		return this.rejectedValue;
	}

}
