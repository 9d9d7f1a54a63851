package dev.eventloop.spring.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains an {@code eventloop.*} property value that cannot work, or a key that does not
 * exist: the property, where it is set and how to fix it.
 */
class InvalidEventLoopPropertyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidEventLoopPropertyException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidEventLoopPropertyException cause) {
		return new FailureAnalysis(cause.getDescription(), cause.getAction(), cause);
	}

}
