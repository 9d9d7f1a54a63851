package dev.eventloop.spring.autoconfigure;

import org.springframework.expression.ParseException;

/**
 * Thrown at startup when the key expression of an {@code @OnEventLoop} method cannot be
 * parsed. Analysed by {@link InvalidKeyExpressionFailureAnalyzer}.
 */
final class InvalidKeyExpressionException extends RuntimeException {

	private final String method;

	private final String expression;

	InvalidKeyExpressionException(String method, String expression, ParseException cause) {
		super("Key expression '" + expression + "' of @OnEventLoop on " + method + " cannot be parsed: "
				+ cause.getMessage(), cause);
		this.method = method;
		this.expression = expression;
	}

	String getMethod() {
		return this.method;
	}

	String getExpression() {
		return this.expression;
	}

}
