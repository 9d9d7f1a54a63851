package dev.eventloop.spring.kafka;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * The completion of a Kotlin {@code suspend} listener's call on its loop: Spring's proxy
 * returns the call as a publisher that runs the function when subscribed to; subscribing
 * here runs it, on the loop, and its future completes when the function returns. Loaded
 * only for suspend listeners, whose applications have Reactor through kotlinx.coroutines.
 */
final class SuspendingListeners {

	private SuspendingListeners() {
	}

	static @Nullable Object completion(@Nullable Object result) {
		return (result instanceof Publisher<?> publisher) ? Mono.from(publisher).toFuture() : result;
	}

}
