package dev.eventloop.spring.autoconfigure;

import dev.eventloop.spring.EventLoopBeans;

import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.AliasRegistry;
import org.springframework.core.Ordered;

/**
 * Gives each configured loop's bean ({@code eventloop.loop.<name>}) its plain name
 * {@code <name>} as an alias, so that {@code getBean("<name>")} still finds the loop,
 * unless a bean of the application has that name: then the name is the application's, and
 * the loop is reached through its qualifier and {@link EventLoopBeans}. Runs after every
 * bean definition is registered, so that the alias never stands in the way of one.
 */
final class EventLoopAliases implements BeanFactoryPostProcessor, Ordered {

	@Override
	public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
		for (String beanName : beanFactory.getBeanDefinitionNames()) {
			if (!beanName.startsWith(EventLoopBeans.BEAN_NAME_PREFIX)) {
				continue;
			}
			String name = beanName.substring(EventLoopBeans.BEAN_NAME_PREFIX.length());
			if (!beanFactory.containsBeanDefinition(name) && !beanFactory.containsSingleton(name)
					&& !(beanFactory instanceof AliasRegistry aliases && aliases.isAlias(name))) {
				beanFactory.registerAlias(beanName, name);
			}
		}
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
