package dev.eventloop;

/**
 * Recognises event-loop threads of other libraries (Netty, Reactor, Vert.x) so that
 * {@link AsyncContext} refuses to block them as it refuses to block its own loops.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface ForeignLoopDetector {

	/**
	 * Return whether the given thread is an event-loop thread that must not block.
	 * @param thread the thread to inspect, usually the current thread
	 * @return {@code true} if the thread is a foreign event-loop thread
	 */
	boolean isEventLoopThread(Thread thread);

}
