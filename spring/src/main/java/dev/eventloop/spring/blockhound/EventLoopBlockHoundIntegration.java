package dev.eventloop.spring.blockhound;

import dev.eventloop.BlockingOnLoopException;
import dev.eventloop.BlockingPolicy;
import dev.eventloop.EventLoop;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingMethod;
import reactor.blockhound.BlockingOperationError;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * The {@link BlockHoundIntegration} of the event loops, found by BlockHound's
 * {@link java.util.ServiceLoader} whenever BlockHound is installed: loop threads are
 * non-blocking threads, and a blocking call made on one (a sleep, socket or file I/O,
 * {@code Object.wait}, parking on a lock or a future) is handed to
 * {@link BlockingPolicy#beforeBlocking(String)}, so that the loop's blocking policy
 * applies: {@link BlockingPolicy#FAIL} throws a {@link BlockingOnLoopException} from the
 * call, {@link BlockingPolicy#WARN} counts it and logs its call site once, and
 * {@link BlockingPolicy#ALLOW} lets it block. On other non-blocking threads (Reactor's)
 * the call fails with BlockHound's {@link BlockingOperationError}, as without this
 * integration.
 * <p>
 * The loops' own deliberate waits are allowed: the idle loop parking for work, waiting
 * for a future once the blocking policy has let it, a producer waiting for room in a full
 * bounded queue, and logging.
 *
 * @since 0.1.0
 */
public final class EventLoopBlockHoundIntegration implements BlockHoundIntegration {

	/**
	 * Create the integration; BlockHound's {@link java.util.ServiceLoader} calls this.
	 */
	public EventLoopBlockHoundIntegration() {
	}

	@Override
	public void applyTo(BlockHound.Builder builder) {
		builder.nonBlockingThreadPredicate((predicate) -> predicate.or(EventLoop::isEventLoopThread))
			.allowBlockingCallsInside("dev.eventloop.LoopRunner", "idle")
			.allowBlockingCallsInside("dev.eventloop.LoopFuture", "awaitOnLoop")
			.allowBlockingCallsInside("dev.eventloop.TaskQueue", "reserve")
			.allowBlockingCallsInside("java.util.logging.StreamHandler", "publish")
			.allowBlockingCallsInside("java.util.logging.StreamHandler", "flush")
			.blockingMethodCallback(EventLoopBlockHoundIntegration::blockingCall);
	}

	private static void blockingCall(BlockingMethod method) {
		if (!EventLoop.isEventLoopThread(Thread.currentThread())) {
			throw new BlockingOperationError(method);
		}
		BlockingPolicy.beforeBlocking(method.toString());
	}

}
