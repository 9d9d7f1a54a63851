package dev.eventloop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chooses the executor for blocking work: virtual threads where the JDK has them (Java
 * 21+), otherwise a bounded pool of daemon platform threads.
 */
final class OffloadExecutors {

	static final int POOL_QUEUE_CAPACITY = 10_000;

	private OffloadExecutors() {
	}

	static ExecutorService createDefault() {
		ExecutorService virtual = virtualThreadExecutor();
		return (virtual != null) ? virtual : boundedPool(Math.max(16, Runtime.getRuntime().availableProcessors() * 8));
	}

	static boolean virtualThreadsAvailable() {
		return Runtime.version().feature() >= 21;
	}

	private static ExecutorService virtualThreadExecutor() {
		if (!virtualThreadsAvailable()) {
			return null;
		}
		try {
			return (ExecutorService) MethodHandles.publicLookup()
				.findStatic(java.util.concurrent.Executors.class, "newVirtualThreadPerTaskExecutor",
						MethodType.methodType(ExecutorService.class))
				.invoke();
		}
		catch (Throwable ex) {
			return null;
		}
	}

	static ExecutorService boundedPool(int threads) {
		AtomicInteger counter = new AtomicInteger();
		ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
				new ArrayBlockingQueue<>(POOL_QUEUE_CAPACITY), (runnable) -> {
					Thread thread = new Thread(runnable, "eventloop-offload-" + counter.incrementAndGet());
					thread.setDaemon(true);
					return thread;
				});
		pool.allowCoreThreadTimeOut(true);
		return pool;
	}

}
