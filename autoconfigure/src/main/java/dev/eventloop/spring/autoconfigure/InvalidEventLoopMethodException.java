package dev.eventloop.spring.autoconfigure;

/**
 * Thrown at startup when {@code @OnEventLoop} or {@code @Offload} is placed on a method
 * that the proxy cannot run as asked: one that is not public, is static or final, carries
 * both annotations, or returns a future type the proxy cannot create. Analysed by
 * {@link InvalidEventLoopMethodFailureAnalyzer}.
 */
final class InvalidEventLoopMethodException extends RuntimeException {

	private final String method;

	private final String problem;

	private final String action;

	InvalidEventLoopMethodException(String method, String problem, String action) {
		super("Method " + method + " " + problem + ". " + action);
		this.method = method;
		this.problem = problem;
		this.action = action;
	}

	String getMethod() {
		return this.method;
	}

	String getProblem() {
		return this.problem;
	}

	String getAction() {
		return this.action;
	}

}
