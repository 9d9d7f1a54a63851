package dev.eventloop.spring.autoconfigure;

import java.util.List;

import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import dev.eventloop.Ticker;
import dev.eventloop.spring.EventLoopBeans;
import dev.eventloop.spring.OnEventLoop;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.RuntimeBeanReference;
import org.springframework.beans.factory.support.AutowireCandidateQualifier;
import org.springframework.beans.factory.support.RootBeanDefinition;

/**
 * Builds the configured groups from {@link EventLoopProperties}: per-loop settings
 * override the defaults, then {@link EventLoopGroupBuilderCustomizer customizers} run.
 * <p>
 * The loop bean definitions call {@link #create(String, int)} and
 * {@link #member(EventLoopGroup, int)} with the group's name, thread count and member
 * index, so that Spring AOT can generate code for them. The thread count is the one the
 * bean definitions were registered with; when the configuration read at runtime says
 * otherwise (an AOT-processed application started with other settings), building the
 * group fails and says why.
 */
final class EventLoopGroupFactory {

	/**
	 * Name of the factory bean that loop bean definitions refer to.
	 */
	static final String BEAN_NAME = "eventLoopGroupFactory";

	private final EventLoopProperties properties;

	private final List<EventLoopGroupBuilderCustomizer> customizers;

	private final Ticker ticker;

	EventLoopGroupFactory(EventLoopProperties properties, List<EventLoopGroupBuilderCustomizer> customizers,
			Ticker ticker) {
		this.properties = properties;
		this.customizers = List.copyOf(customizers);
		this.ticker = ticker;
	}

	/**
	 * Return the bean definition of the group of the given name: the factory's
	 * {@link #create(String, int)} called with the name and the thread count, qualified
	 * with the name, to be registered under {@link EventLoopBeans#beanName(String)}.
	 */
	static RootBeanDefinition groupDefinition(String name, int threads) {
		RootBeanDefinition group = new RootBeanDefinition();
		group.setFactoryBeanName(BEAN_NAME);
		group.setFactoryMethodName("create");
		group.getConstructorArgumentValues().addIndexedArgumentValue(0, name);
		group.getConstructorArgumentValues().addIndexedArgumentValue(1, threads);
		group.setTargetType((threads == 1) ? EventLoop.class : EventLoopGroup.class);
		group.addQualifier(new AutowireCandidateQualifier(Qualifier.class, name));
		// at a normal shutdown EventLoopLifecycle has drained the loops already; this
		// stops
		// them when the context fails to start
		group.setDestroyMethodName("close");
		return group;
	}

	/**
	 * Return the bean definition of loop {@code index} of a group, qualified with the
	 * loop's name {@code <group>-<index>}: not a default candidate, so that injection by
	 * type alone finds groups only.
	 */
	static RootBeanDefinition memberDefinition(String group, int index) {
		RootBeanDefinition member = new RootBeanDefinition(EventLoopGroupFactory.class);
		member.setFactoryMethodName("member");
		member.getConstructorArgumentValues()
			.addIndexedArgumentValue(0, new RuntimeBeanReference(EventLoopBeans.beanName(group)));
		member.getConstructorArgumentValues().addIndexedArgumentValue(1, index);
		member.setTargetType(EventLoop.class);
		member.addQualifier(new AutowireCandidateQualifier(Qualifier.class, group + "-" + index));
		member.setDefaultCandidate(false);
		member.setDestroyMethodName(""); // none: its group closes it
		return member;
	}

	/**
	 * Build and start the group of the given name with the settings configured now.
	 * @param name the group's name
	 * @param threads the number of loops its bean definitions were registered with
	 * @return the started group, an {@link EventLoop} when it has one thread
	 */
	EventLoopGroup create(String name, int threads) {
		EventLoopProperties.Loop loop = this.properties.getLoops().get(name);
		if (loop == null) {
			if (!this.properties.getLoops().isEmpty() || !OnEventLoop.DEFAULT_LOOP.equals(name)) {
				throw EventLoopPropertiesValidator.loopSetFixedAtBuildTime(name, threads, null);
			}
			loop = new EventLoopProperties.Loop();
		}
		if (loop.getThreads() != threads) {
			throw EventLoopPropertiesValidator.loopSetFixedAtBuildTime(name, threads, loop.getThreads());
		}
		EventLoopProperties.Defaults defaults = this.properties.getDefaults();
		EventLoopGroup.Builder builder = EventLoopGroup.builder(name)
			.threads(threads)
			.queueCapacity(orDefault(loop.getQueueCapacity(), defaults.getQueueCapacity()))
			.stallThreshold(orDefault(loop.getStallThreshold(), defaults.getStallThreshold()))
			.lagThreshold(orDefault(loop.getLagThreshold(), defaults.getLagThreshold()))
			.lagProbeInterval(orDefault(loop.getLagProbeInterval(), defaults.getLagProbeInterval()))
			.idleStrategy(orDefault(loop.getIdleStrategy(), defaults.getIdleStrategy()))
			.blockingPolicy(this.properties.getBlockingPolicy())
			.ticker(this.ticker);
		for (EventLoopGroupBuilderCustomizer customizer : this.customizers) {
			customizer.customize(name, builder);
		}
		return builder.build();
	}

	/**
	 * Return loop {@code index} of a group.
	 * @param group the group
	 * @param index the loop's index in the group
	 * @return the loop
	 */
	static EventLoop member(EventLoopGroup group, int index) {
		return group.loops().get(index);
	}

	private static <T> T orDefault(@Nullable T value, T defaultValue) {
		return (value != null) ? value : defaultValue;
	}

}
