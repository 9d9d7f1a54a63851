package dev.eventloop.spring.autoconfigure;

import dev.eventloop.spring.aop.InvalidKeyExpressionException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains an {@code @OnEventLoop} key expression that does not parse.
 */
class InvalidKeyExpressionFailureAnalyzer extends AbstractFailureAnalyzer<InvalidKeyExpressionException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidKeyExpressionException cause) {
		String description = "The key expression '" + cause.getExpression() + "' of @OnEventLoop on method "
				+ cause.getMethod() + " cannot be parsed: "
				+ ((cause.getCause() != null) ? cause.getCause().getMessage() : "invalid expression") + ".";
		String action = "Fix the key of @OnEventLoop on " + cause.getMethod()
				+ ": it is a SpEL expression over the method arguments, for example '#order.customerId' (by"
				+ " parameter name, which needs the '-parameters' compiler flag) or '#p0' (by position).";
		return new FailureAnalysis(description, action, cause);
	}

}
