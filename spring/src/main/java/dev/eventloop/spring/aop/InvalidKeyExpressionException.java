package dev.eventloop.spring.aop;

import org.springframework.expression.ParseException;

/**
 * Thrown at startup when the key expression of an {@code @OnEventLoop} method cannot be
 * parsed. Analysed by the auto-configuration's failure analyzer.
 */
public final class InvalidKeyExpressionException extends RuntimeException {

	private final String method;

	private final String expression;

	public InvalidKeyExpressionException(String method, String expression, ParseException cause) {
		super("Key expression '" + expression + "' of @OnEventLoop on " + method + " cannot be parsed: "
				+ cause.getMessage(), cause);
		this.method = method;
		this.expression = expression;
	}

	public String getMethod() {
		return this.method;
	}

	public String getExpression() {
		return this.expression;
	}

}
