package dev.eventloop.spring.aop;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.ReactiveAdapter;

/**
 * Reactive return types, through Spring's {@link ReactiveAdapter adapters}; loaded only
 * when Reactor is on the classpath.
 */
final class ReactorSupport {

	private ReactorSupport() {
	}

	/**
	 * Return a value of the method's reactive type that, on each subscription, starts the
	 * call and relays what the method returned.
	 */
	static Object deferred(ReactiveAdapter adapter, Supplier<CompletableFuture<@Nullable Object>> call) {
		Publisher<Object> publisher;
		if (adapter.isMultiValue()) {
			publisher = Flux
				.defer(() -> Mono.fromFuture(call.get()).flatMapMany((result) -> adapter.toPublisher(result)));
		}
		else {
			publisher = Mono
				.defer(() -> Mono.fromFuture(call.get()).flatMap((result) -> Mono.from(adapter.toPublisher(result))));
		}
		return adapter.fromPublisher(publisher);
	}

}
