package dev.eventloop.spring.reactor;

import java.util.Optional;
import java.util.function.Predicate;

import dev.eventloop.BlockingPolicy;
import dev.eventloop.EventLoop;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.DisposableBean;

/**
 * Tells Reactor that event-loop threads must not block, from the time the application
 * context starts until it closes.
 * <p>
 * Reactor asks before {@code block()}, {@code blockFirst()}, {@code blockLast()} and the
 * blocking iterables wait, on the calling thread. On a loop thread the answer follows the
 * loop's blocking policy: {@link BlockingPolicy#FAIL} says non-blocking, so Reactor
 * refuses as on its own threads; {@link BlockingPolicy#WARN} counts and logs the
 * violation and lets it block; {@link BlockingPolicy#ALLOW} lets it block. Asked about
 * another thread, a loop thread is always non-blocking.
 * <p>
 * Reactor has no way to remove one predicate (only to reset them all, which would drop
 * those of other libraries), so each registration stays with Reactor and answers
 * {@code false} once its context has closed.
 */
public final class ReactorNonBlockingLoopThreads implements Predicate<Thread>, DisposableBean {

	// written by the closing thread, read by any thread that asks Reactor
	private volatile boolean active = true;

	private ReactorNonBlockingLoopThreads() {
	}

	public static ReactorNonBlockingLoopThreads register() {
		ReactorNonBlockingLoopThreads threads = new ReactorNonBlockingLoopThreads();
		Schedulers.registerNonBlockingThreadPredicate(threads);
		return threads;
	}

	@Override
	public boolean test(Thread thread) {
		if (!this.active || !EventLoop.isEventLoopThread(thread)) {
			return false;
		}
		if (thread != Thread.currentThread()) {
			return true;
		}
		Optional<EventLoop> loop = EventLoop.current();
		BlockingPolicy policy = loop.map(EventLoop::blockingPolicy).orElse(BlockingPolicy.FAIL);
		if (policy == BlockingPolicy.FAIL) {
			return true;
		}
		// WARN counts and logs, ALLOW passes: either way the caller may block
		BlockingPolicy.beforeBlocking("Reactor block()");
		return false;
	}

	boolean isActive() {
		return this.active;
	}

	@Override
	public void destroy() {
		this.active = false;
	}

}
