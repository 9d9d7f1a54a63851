package dev.eventloop.spring.kafka;

import org.jspecify.annotations.Nullable;

import org.springframework.kafka.listener.BackOffHandler;
import org.springframework.kafka.listener.DefaultBackOffHandler;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * A {@link BackOffHandler} that lets the event-loop starter wait out the back-off of a
 * failed record on a loop timer instead of a sleeping thread. Build the
 * {@code DefaultErrorHandler} of containers with {@code @OnEventLoop} listeners with it:
 * <pre class="code">
 * new DefaultErrorHandler(recoverer, new FixedBackOff(1000, 4), new LoopBackOffHandler())
 * </pre> For a record the starter hands to the handler, the back-off is recorded and the
 * record retried once it has passed, on its loop's timer (which follows a manual ticker
 * in tests), while only its key waits; for any other record (a listener the starter does
 * not dispatch) the back-off is slept through, as {@link DefaultBackOffHandler} does. The
 * error handler the starter configures when the application defines none uses it.
 *
 * @since 0.1.0
 */
public final class LoopBackOffHandler implements BackOffHandler {

	// the back-off the handler asked for on this thread, while the starter hands it a
	// record: -1 until it asks; null when the starter is not handing it one
	private static final ThreadLocal<long @Nullable []> requested = new ThreadLocal<>();

	private final DefaultBackOffHandler sleeping = new DefaultBackOffHandler();

	@Override
	public void onNextBackOff(@Nullable MessageListenerContainer container, @Nullable Exception exception,
			long nextBackOff) {
		long[] slot = requested.get();
		if (slot != null) {
			slot[0] = nextBackOff;
		}
		else {
			this.sleeping.onNextBackOff(container, exception, nextBackOff);
		}
	}

	/**
	 * Start recording the back-off asked for on the current thread.
	 */
	static void record() {
		requested.set(new long[] { -1 });
	}

	/**
	 * Stop recording and return the back-off asked for, in milliseconds, or {@code -1} if
	 * none was asked of a {@code LoopBackOffHandler}.
	 */
	static long recorded() {
		long[] slot = requested.get();
		requested.remove();
		return (slot != null) ? slot[0] : -1;
	}

}
