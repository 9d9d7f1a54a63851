package dev.eventloop.spring.aop;

import java.util.List;

/**
 * Thrown at startup when an {@code @OnEventLoop} method names no configured loop or
 * group. Analysed by the auto-configuration's failure analyzer.
 */
public final class UnknownEventLoopException extends RuntimeException {

	private final String method;

	private final String loopName;

	private final List<String> configuredLoops;

	public UnknownEventLoopException(String method, String loopName, List<String> configuredLoops) {
		super("@OnEventLoop on " + method + " names event loop '" + loopName + "', but there is none of that name;"
				+ " configured: " + configuredLoops);
		this.method = method;
		this.loopName = loopName;
		this.configuredLoops = List.copyOf(configuredLoops);
	}

	public String getMethod() {
		return this.method;
	}

	public String getLoopName() {
		return this.loopName;
	}

	public List<String> getConfiguredLoops() {
		return this.configuredLoops;
	}

}
