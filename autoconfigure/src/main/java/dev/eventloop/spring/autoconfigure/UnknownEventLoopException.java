package dev.eventloop.spring.autoconfigure;

import java.util.List;

/**
 * Thrown at startup when an {@code @OnEventLoop} method names no configured loop or
 * group. Analysed by {@link UnknownEventLoopFailureAnalyzer}.
 */
final class UnknownEventLoopException extends RuntimeException {

	private final String method;

	private final String loopName;

	private final List<String> configuredLoops;

	UnknownEventLoopException(String method, String loopName, List<String> configuredLoops) {
		super("@OnEventLoop on " + method + " names event loop '" + loopName + "', but there is none of that name;"
				+ " configured: " + configuredLoops);
		this.method = method;
		this.loopName = loopName;
		this.configuredLoops = List.copyOf(configuredLoops);
	}

	String getMethod() {
		return this.method;
	}

	String getLoopName() {
		return this.loopName;
	}

	List<String> getConfiguredLoops() {
		return this.configuredLoops;
	}

}
