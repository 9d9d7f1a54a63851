package dev.eventloop.spring.reactor;

import java.util.Set;
import java.util.function.Predicate;

import dev.eventloop.BlockingPolicy;
import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopRegistry;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.DisposableBean;

/**
 * Tells Reactor that the threads of an application's event loops must not block, from the
 * time the application context starts until it closes.
 * <p>
 * Reactor asks before {@code block()}, {@code blockFirst()}, {@code blockLast()} and the
 * blocking iterables wait, on the calling thread. On a thread of one of the context's
 * loops the answer follows the loop's blocking policy: {@link BlockingPolicy#FAIL} says
 * non-blocking, so Reactor refuses as on its own threads; {@link BlockingPolicy#WARN}
 * counts and logs the violation and lets it block; {@link BlockingPolicy#ALLOW} lets it
 * block. Asked about another thread, a thread of one of the context's loops is always
 * non-blocking. Reactor's question and a real wait look the same here: under
 * {@code WARN}, {@code Schedulers.isInNonBlockingThread()} called on a loop counts and
 * logs a violation and answers {@code false}.
 * <p>
 * Each registration answers for its own context's loops only: a loop of another context
 * in the same JVM (a test's cached context, say) or one built by hand is left to its own
 * registration, if any, so that a violation is counted once.
 * <p>
 * Reactor has no way to remove one predicate (only to reset them all, which would drop
 * those of other libraries), so each registration stays with Reactor and answers
 * {@code false} once its context has closed.
 */
public final class ReactorNonBlockingLoopThreads implements Predicate<Thread>, DisposableBean {

	// the context's loops, fixed at registration
	private final Set<EventLoop> loops;

	// written by the closing thread, read by any thread that asks Reactor
	private volatile boolean active = true;

	private ReactorNonBlockingLoopThreads(Set<EventLoop> loops) {
		this.loops = loops;
	}

	/**
	 * Register the loops of an application context with Reactor.
	 * @param registry the context's loops
	 * @return the registration, to be destroyed when the context closes
	 */
	public static ReactorNonBlockingLoopThreads register(EventLoopRegistry registry) {
		ReactorNonBlockingLoopThreads threads = new ReactorNonBlockingLoopThreads(Set.copyOf(registry.loops()));
		Schedulers.registerNonBlockingThreadPredicate(threads);
		return threads;
	}

	@Override
	public boolean test(Thread thread) {
		if (!this.active) {
			return false;
		}
		EventLoop loop = EventLoop.ofThread(thread).orElse(null);
		if (loop == null || !this.loops.contains(loop)) {
			return false;
		}
		if (thread != Thread.currentThread()) {
			return true;
		}
		if (loop.blockingPolicy() == BlockingPolicy.FAIL) {
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
