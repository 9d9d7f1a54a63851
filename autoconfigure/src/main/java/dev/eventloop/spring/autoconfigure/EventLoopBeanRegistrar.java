package dev.eventloop.spring.autoconfigure;

import java.util.Map;

import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import dev.eventloop.spring.EventLoopBeans;
import dev.eventloop.spring.OnEventLoop;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;
import org.springframework.util.Assert;

/**
 * Registers one bean per configured group (an {@link EventLoop} when it has one thread)
 * and one {@link EventLoop} bean per loop of a larger group, whose loops are named
 * {@code <name>-<n>}. The beans are named {@code eventloop.loop.<name>}
 * ({@link EventLoopBeans#beanName(String)}) and qualified with the loop's name, so that a
 * loop takes no bean name from the application: {@code @Qualifier("<name>")} and
 * {@link EventLoopBeans} find the loop even when an application bean is named
 * {@code <name>} ({@link EventLoopAliases} adds the plain name as an alias when no bean
 * has it). Member loops are not default candidates, so that injecting an
 * {@link EventLoopGroup} by type alone finds the groups. An {@link EventLoopGroup} bean
 * that the application defines under a loop's name replaces that loop; a bean of another
 * type of that name does not.
 * <p>
 * The definitions name a factory method and plain arguments (no instance supplier), so
 * that Spring AOT can write them as code: an AOT-processed application keeps the set of
 * loops it was built with, while their settings are read when the loops are built.
 */
class EventLoopBeanRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware, BeanFactoryAware {

	private @Nullable Environment environment;

	private @Nullable BeanFactory beanFactory;

	@Override
	public void setEnvironment(Environment environment) {
		this.environment = environment;
	}

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	@Override
	public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
		Assert.state(this.environment != null && this.beanFactory != null, "Environment and BeanFactory are required");
		EventLoopProperties properties = bind(this.environment);
		EventLoopPropertiesValidator.validate(properties, this.environment);
		Map<String, EventLoopProperties.Loop> loops = properties.getLoops();
		if (loops.isEmpty()) {
			if (!hasGroupBeans(this.beanFactory)) {
				registerGroup(registry, OnEventLoop.DEFAULT_LOOP, new EventLoopProperties.Loop());
			}
			return;
		}
		loops.forEach((name, loop) -> registerGroup(registry, name, loop));
	}

	static EventLoopProperties bind(Environment environment) {
		return Binder.get(environment)
			.bind("eventloop", Bindable.ofInstance(new EventLoopProperties()))
			.orElseGet(EventLoopProperties::new);
	}

	/**
	 * Whether the application defines an event loop group under a loop's name, which then
	 * replaces the loop; a bean of another type of that name lives beside the loop.
	 */
	private boolean isApplicationGroup(BeanDefinitionRegistry registry, String name) {
		if (!registry.containsBeanDefinition(name) || !(this.beanFactory instanceof ListableBeanFactory listable)) {
			return false;
		}
		Class<?> type = listable.getType(name, false);
		return type != null && EventLoopGroup.class.isAssignableFrom(type);
	}

	private static boolean hasGroupBeans(BeanFactory beanFactory) {
		return beanFactory instanceof ListableBeanFactory listable
				&& listable.getBeanNamesForType(EventLoopGroup.class, true, false).length > 0;
	}

	private void registerGroup(BeanDefinitionRegistry registry, String name, EventLoopProperties.Loop loop) {
		if (isApplicationGroup(registry, name)) {
			return; // the application's own group of that name wins
		}
		int threads = loop.getThreads();
		registry.registerBeanDefinition(EventLoopBeans.beanName(name),
				EventLoopGroupFactory.groupDefinition(name, threads));
		if (threads > 1) {
			for (int i = 0; i < threads; i++) {
				registry.registerBeanDefinition(EventLoopBeans.beanName(name + "-" + i),
						EventLoopGroupFactory.memberDefinition(name, i));
			}
		}
	}

}
