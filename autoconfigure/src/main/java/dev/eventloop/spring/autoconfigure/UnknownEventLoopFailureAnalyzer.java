package dev.eventloop.spring.autoconfigure;

import dev.eventloop.spring.aop.UnknownEventLoopException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains an {@code @OnEventLoop} method that names no configured loop, listing the
 * loops that are configured.
 */
class UnknownEventLoopFailureAnalyzer extends AbstractFailureAnalyzer<UnknownEventLoopException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, UnknownEventLoopException cause) {
		String description = "Method " + cause.getMethod() + " is annotated with @OnEventLoop(\"" + cause.getLoopName()
				+ "\"), but no event loop or group is named '" + cause.getLoopName() + "'.\n\nConfigured event loops: "
				+ (cause.getConfiguredLoops().isEmpty() ? "none" : String.join(", ", cause.getConfiguredLoops()));
		String action = "Name one of the configured event loops in @OnEventLoop, or configure a loop named '"
				+ cause.getLoopName() + "' with the property 'eventloop.loops." + cause.getLoopName()
				+ ".threads' (with no loops configured, a single loop named 'default' exists).";
		return new FailureAnalysis(description, action, cause);
	}

}
