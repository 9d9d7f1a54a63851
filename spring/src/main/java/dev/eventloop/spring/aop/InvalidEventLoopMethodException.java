package dev.eventloop.spring.aop;

/**
 * Thrown at startup when {@code @OnEventLoop} or {@code @Offload} is placed on a method
 * that the proxy cannot run as asked: one that is not public, is static or final, carries
 * both annotations, or returns a future type the proxy cannot create. Analysed by the
 * auto-configuration's failure analyzer.
 */
public final class InvalidEventLoopMethodException extends RuntimeException {

	private final String method;

	private final String problem;

	private final String action;

	public InvalidEventLoopMethodException(String method, String problem, String action) {
		super("Method " + method + " " + problem + ". " + action);
		this.method = method;
		this.problem = problem;
		this.action = action;
	}

	public String getMethod() {
		return this.method;
	}

	public String getProblem() {
		return this.problem;
	}

	public String getAction() {
		return this.action;
	}

}
