package dev.eventloop.benchmarks;

import java.util.concurrent.Callable;

import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * Spring's {@link ThreadPoolTaskExecutor} with one thread, as an application would
 * configure it for serialised work: {@code execute} and {@code submit(..).get()}.
 */
final class SpringAdapter implements LoopAdapter {

	private static final Runnable NOOP = () -> {
	};

	private final ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();

	SpringAdapter() {
		this.executor.setCorePoolSize(1);
		this.executor.setMaxPoolSize(1);
		this.executor.setThreadNamePrefix("bench-spring-");
		this.executor.setDaemon(true);
		this.executor.setWaitForTasksToCompleteOnShutdown(true);
		this.executor.setAwaitTerminationSeconds(10);
		this.executor.initialize();
	}

	@Override
	public void executeNoop() {
		this.executor.execute(NOOP);
	}

	@Override
	public void execute(Runnable task) {
		this.executor.execute(task);
	}

	@Override
	public <T> Object submitAndWait(Callable<T> task) throws Exception {
		return this.executor.submit(task).get();
	}

	@Override
	public void close() {
		this.executor.shutdown();
	}

}
