package dev.eventloop.spring.aop;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.task.SimpleAsyncTaskExecutorBuilder;
import org.springframework.boot.task.ThreadPoolTaskExecutorBuilder;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * The executor of the {@code AsyncContext}'s offloaded blocking work, built with Boot's
 * task-execution builders: a virtual thread per task when virtual threads are enabled
 * ({@code spring.threads.virtual.enabled} on Java 21 and later), otherwise a bounded pool
 * of platform threads. At most {@code eventloop.offload.max-concurrency} tasks run at
 * once; further tasks wait for a slot off the submitting thread (a loop never waits).
 * Keeps its own counts for the {@code eventloop.offload.*} meters.
 * <p>
 * Not an {@link Executor} bean itself, so that Boot's {@code applicationTaskExecutor} and
 * {@code @Async} resolution are not affected.
 */
public final class OffloadExecution implements DisposableBean {

	static final String THREAD_NAME_PREFIX = "eventloop-offload-";

	static final int POOL_QUEUE_CAPACITY = 10_000;

	private final Executor executor;

	private final @Nullable Semaphore slots;

	private final @Nullable SimpleAsyncTaskExecutor virtualThreads;

	private final @Nullable ThreadPoolTaskExecutor pool;

	private final boolean virtual;

	private final int maxConcurrency;

	// any thread
	private final AtomicInteger active = new AtomicInteger();

	private final AtomicInteger waiting = new AtomicInteger();

	private final LongAdder completed = new LongAdder();

	private OffloadExecution(boolean virtual, @Nullable Integer maxConcurrency) {
		this.virtual = virtual;
		if (virtual) {
			SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutorBuilder().virtualThreads(true)
				.threadNamePrefix(THREAD_NAME_PREFIX)
				.build();
			this.virtualThreads = executor;
			this.pool = null;
			this.slots = (maxConcurrency != null) ? new Semaphore(maxConcurrency) : null;
			this.maxConcurrency = (maxConcurrency != null) ? maxConcurrency : Integer.MAX_VALUE;
			this.executor = executor;
		}
		else {
			// as the plain-Java default on Java 17: a bounded pool whose threads time out
			int threads = (maxConcurrency != null) ? maxConcurrency
					: Math.max(16, Runtime.getRuntime().availableProcessors() * 8);
			ThreadPoolTaskExecutor pool = new ThreadPoolTaskExecutorBuilder().corePoolSize(threads)
				.maxPoolSize(threads)
				.queueCapacity(POOL_QUEUE_CAPACITY)
				.allowCoreThreadTimeOut(true)
				.keepAlive(Duration.ofSeconds(30))
				.threadNamePrefix(THREAD_NAME_PREFIX)
				.build();
			pool.setDaemon(true);
			pool.initialize();
			this.virtualThreads = null;
			this.pool = pool;
			this.slots = null;
			this.maxConcurrency = threads;
			this.executor = pool;
		}
	}

	public static OffloadExecution create(boolean virtualThreads, @Nullable Integer maxConcurrency) {
		return new OffloadExecution(virtualThreads && Runtime.version().feature() >= 21, maxConcurrency);
	}

	/**
	 * Return the executor to hand to the {@code AsyncContext}.
	 */
	public Executor executor() {
		return this::execute;
	}

	private void execute(Runnable task) {
		this.waiting.incrementAndGet();
		try {
			this.executor.execute(() -> run(task));
		}
		catch (RuntimeException ex) {
			this.waiting.decrementAndGet();
			throw ex;
		}
	}

	private void run(Runnable task) {
		Semaphore slots = this.slots;
		if (slots != null) {
			// a virtual thread waits here for a slot, which costs it no platform thread
			slots.acquireUninterruptibly();
		}
		this.waiting.decrementAndGet();
		this.active.incrementAndGet();
		try {
			task.run();
		}
		finally {
			this.active.decrementAndGet();
			this.completed.increment();
			if (slots != null) {
				slots.release();
			}
		}
	}

	boolean isVirtual() {
		return this.virtual;
	}

	int maxConcurrency() {
		return this.maxConcurrency;
	}

	int active() {
		return this.active.get();
	}

	int waiting() {
		return this.waiting.get();
	}

	long completed() {
		return this.completed.sum();
	}

	@Override
	public void destroy() {
		if (this.pool != null) {
			this.pool.shutdown();
		}
		if (this.virtualThreads != null) {
			this.virtualThreads.close();
		}
	}

}
