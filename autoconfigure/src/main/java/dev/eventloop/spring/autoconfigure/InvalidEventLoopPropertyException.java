package dev.eventloop.spring.autoconfigure;

/**
 * Thrown at startup when an {@code eventloop.*} property has a value that cannot work.
 * Analysed by {@link InvalidEventLoopPropertyFailureAnalyzer}.
 */
final class InvalidEventLoopPropertyException extends RuntimeException {

	private final String property;

	private final Object value;

	private final String reason;

	private final String action;

	InvalidEventLoopPropertyException(String property, Object value, String reason, String action) {
		super("Invalid value '" + value + "' for property '" + property + "': " + reason);
		this.property = property;
		this.value = value;
		this.reason = reason;
		this.action = action;
	}

	String getProperty() {
		return this.property;
	}

	Object getValue() {
		return this.value;
	}

	String getReason() {
		return this.reason;
	}

	String getAction() {
		return this.action;
	}

}
