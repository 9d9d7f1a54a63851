package dev.eventloop.spring.autoconfigure;

import dev.eventloop.spring.aop.InvalidEventLoopMethodException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains an {@code @OnEventLoop} or {@code @Offload} method that the proxy cannot run
 * as asked.
 */
class InvalidEventLoopMethodFailureAnalyzer extends AbstractFailureAnalyzer<InvalidEventLoopMethodException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidEventLoopMethodException cause) {
		return new FailureAnalysis("Method " + cause.getMethod() + " " + cause.getProblem() + ".", cause.getAction(),
				cause);
	}

}
