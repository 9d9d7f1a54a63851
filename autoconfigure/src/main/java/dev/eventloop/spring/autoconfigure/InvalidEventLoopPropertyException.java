package dev.eventloop.spring.autoconfigure;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.origin.Origin;

/**
 * Thrown at startup when an {@code eventloop.*} property has a value that cannot work or
 * a key that does not exist. Analysed by {@link InvalidEventLoopPropertyFailureAnalyzer}.
 */
final class InvalidEventLoopPropertyException extends RuntimeException {

	private final String property;

	private final @Nullable Origin origin;

	private final String description;

	private final String action;

	InvalidEventLoopPropertyException(String property, @Nullable Object value, String reason, String action) {
		this(property, value, null, reason, action);
	}

	InvalidEventLoopPropertyException(String property, @Nullable Object value, @Nullable Origin origin, String reason,
			String action) {
		this(property, origin,
				"Invalid value '" + value + "' for property '" + property + "': " + reason + "." + describe(origin),
				action);
	}

	private InvalidEventLoopPropertyException(String property, @Nullable Origin origin, String description,
			String action) {
		super(description);
		this.property = property;
		this.origin = origin;
		this.description = description;
		this.action = action;
	}

	/**
	 * Create the failure for a key that the settings it sits in do not have.
	 * @param property the full name of the unknown property
	 * @param origin where it is set, if known
	 * @param reason why the key is unknown
	 * @param prefix the prefix of the valid keys
	 * @param validKeys the keys that exist there
	 * @param suggestion the valid property nearest to the unknown one, if any
	 * @return the exception
	 */
	static InvalidEventLoopPropertyException unknownKey(String property, @Nullable Origin origin, String reason,
			String prefix, List<String> validKeys, @Nullable String suggestion) {
		String description = "Unknown property '" + property + "': " + reason + "." + describe(origin)
				+ " Valid keys under '" + prefix + "' are: " + String.join(", ", validKeys) + ".";
		String action = ((suggestion != null) ? "Did you mean '" + suggestion + "'? " : "") + "Rename '" + property
				+ "' to one of the valid keys, or remove it. Unknown keys are refused because a mistyped setting"
				+ " would otherwise be ignored without a word.";
		return new InvalidEventLoopPropertyException(property, origin, description, action);
	}

	private static String describe(@Nullable Origin origin) {
		return (origin != null) ? " It is set in " + origin + "." : "";
	}

	String getProperty() {
		return this.property;
	}

	@Nullable Origin getOrigin() {
		return this.origin;
	}

	String getDescription() {
		return this.description;
	}

	String getAction() {
		return this.action;
	}

}
