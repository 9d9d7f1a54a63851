package dev.eventloop.spring.autoconfigure;

import dev.eventloop.spring.aop.EventLoopAnnotationBeanPostProcessor;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Role;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration
 * Auto-configuration} for {@link dev.eventloop.spring.OnEventLoop @OnEventLoop} and
 * {@link dev.eventloop.spring.Offload @Offload}: beans with annotated methods are proxied
 * so that their calls run on the named loop, or off every loop.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = EventLoopAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "eventloop.enabled", matchIfMissing = true)
public final class OnEventLoopAutoConfiguration {

	OnEventLoopAutoConfiguration() {
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static EventLoopAnnotationBeanPostProcessor eventLoopAnnotationBeanPostProcessor() {
		return new EventLoopAnnotationBeanPostProcessor();
	}

}
