package dev.eventloop.spring.autoconfigure;

import java.util.List;

import dev.eventloop.EventLoopGroup;
import org.jspecify.annotations.Nullable;

/**
 * Builds the configured groups from {@link EventLoopProperties}: per-loop settings
 * override the defaults, then {@link EventLoopGroupBuilderCustomizer customizers} run.
 */
final class EventLoopGroupFactory {

	private final EventLoopProperties properties;

	private final List<EventLoopGroupBuilderCustomizer> customizers;

	EventLoopGroupFactory(EventLoopProperties properties, List<EventLoopGroupBuilderCustomizer> customizers) {
		this.properties = properties;
		this.customizers = List.copyOf(customizers);
	}

	EventLoopGroup create(String name) {
		EventLoopProperties.Loop loop = this.properties.getLoops().get(name);
		if (loop == null) {
			loop = new EventLoopProperties.Loop();
		}
		EventLoopProperties.Defaults defaults = this.properties.getDefaults();
		EventLoopGroup.Builder builder = EventLoopGroup.builder(name)
			.threads(loop.getThreads())
			.queueCapacity(orDefault(loop.getQueueCapacity(), defaults.getQueueCapacity()))
			.stallThreshold(orDefault(loop.getStallThreshold(), defaults.getStallThreshold()))
			.lagThreshold(orDefault(loop.getLagThreshold(), defaults.getLagThreshold()))
			.lagProbeInterval(orDefault(loop.getLagProbeInterval(), defaults.getLagProbeInterval()))
			.idleStrategy(orDefault(loop.getIdleStrategy(), defaults.getIdleStrategy()))
			.blockingPolicy(this.properties.getBlockingPolicy());
		for (EventLoopGroupBuilderCustomizer customizer : this.customizers) {
			customizer.customize(name, builder);
		}
		return builder.build();
	}

	private static <T> T orDefault(@Nullable T value, T defaultValue) {
		return (value != null) ? value : defaultValue;
	}

}
