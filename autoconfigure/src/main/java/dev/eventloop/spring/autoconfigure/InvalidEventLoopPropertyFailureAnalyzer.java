package dev.eventloop.spring.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains an {@code eventloop.*} property value that cannot work.
 */
class InvalidEventLoopPropertyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidEventLoopPropertyException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidEventLoopPropertyException cause) {
		String description = "Invalid value '" + cause.getValue() + "' for property '" + cause.getProperty() + "': "
				+ cause.getReason() + ".";
		return new FailureAnalysis(description, cause.getAction(), cause);
	}

}
