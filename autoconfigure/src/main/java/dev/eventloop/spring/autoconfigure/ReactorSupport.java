package dev.eventloop.spring.autoconfigure;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import reactor.core.publisher.Mono;

/**
 * Reactor return types, loaded only when Reactor is on the classpath.
 */
final class ReactorSupport {

	private ReactorSupport() {
	}

	static boolean isMono(Class<?> type) {
		return Mono.class == type;
	}

	/**
	 * Return a {@code Mono} that, on each subscription, starts the call and relays the
	 * {@code Mono} that the method returned.
	 */
	static Mono<Object> deferred(Supplier<CompletableFuture<Object>> call) {
		return Mono.defer(() -> Mono.fromFuture(call.get()).flatMap((result) -> {
			@SuppressWarnings("unchecked")
			Mono<Object> mono = (Mono<Object>) result;
			return mono;
		}));
	}

}
