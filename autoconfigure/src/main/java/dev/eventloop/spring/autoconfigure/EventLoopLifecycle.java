package dev.eventloop.spring.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.eventloop.EventLoopGroup;
import dev.eventloop.EventLoopRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.SmartLifecycle;

/**
 * Stops every registered group at application shutdown, after the web server has stopped
 * taking requests, giving the loops {@code eventloop.shutdown-timeout} to drain their
 * queues. Loops start when they are built, before any bean can use them, so
 * {@link #start()} only marks them as running.
 */
final class EventLoopLifecycle implements SmartLifecycle {

	/**
	 * Lower than the phases of the web server's graceful shutdown
	 * ({@code DEFAULT_PHASE - 1024}) and of its stop ({@code DEFAULT_PHASE - 2048}): a
	 * lifecycle with a lower phase stops later, so requests still in flight while the
	 * server drains can dispatch to the loops.
	 */
	static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	private static final Log logger = LogFactory.getLog(EventLoopLifecycle.class);

	private final EventLoopRegistry registry;

	private final Duration shutdownTimeout;

	// written by the thread that starts or stops the context, read by any thread
	private volatile boolean running;

	EventLoopLifecycle(EventLoopRegistry registry, Duration shutdownTimeout) {
		this.registry = registry;
		this.shutdownTimeout = shutdownTimeout;
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		shutdown().join();
	}

	@Override
	public void stop(Runnable callback) {
		shutdown().whenComplete((result, ex) -> callback.run());
	}

	private CompletableFuture<Void> shutdown() {
		this.running = false;
		List<EventLoopGroup> groups = this.registry.groups();
		CompletableFuture<?>[] terminations = new CompletableFuture<?>[groups.size()];
		for (int i = 0; i < terminations.length; i++) {
			terminations[i] = groups.get(i).shutdownGracefully(this.shutdownTimeout);
		}
		if (logger.isDebugEnabled()) {
			logger.debug("Shutting down event loop groups " + this.registry.groupNames() + " within "
					+ this.shutdownTimeout);
		}
		return CompletableFuture.allOf(terminations);
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
