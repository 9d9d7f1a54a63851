package dev.eventloop.spring.autoconfigure.reactor;

import dev.eventloop.EventLoopRegistry;
import dev.eventloop.spring.autoconfigure.EventLoopAutoConfiguration;
import dev.eventloop.spring.reactor.ReactorNonBlockingLoopThreads;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration
 * Auto-configuration} that registers event-loop threads with Reactor as non-blocking
 * threads, so that {@code block()}, {@code blockFirst()} and {@code blockLast()} on a
 * loop are treated as on Reactor's own non-blocking threads, following
 * {@code eventloop.blocking-policy}.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = EventLoopAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "eventloop.enabled", matchIfMissing = true)
@ConditionalOnClass(name = "reactor.core.scheduler.Schedulers")
public final class EventLoopReactorAutoConfiguration {

	EventLoopReactorAutoConfiguration() {
	}

	@Bean
	ReactorNonBlockingLoopThreads reactorNonBlockingLoopThreads(EventLoopRegistry registry) {
		return ReactorNonBlockingLoopThreads.register(registry);
	}

}
