package dev.eventloop.spring.autoconfigure.scheduling;

import dev.eventloop.spring.autoconfigure.EventLoopAutoConfiguration;
import dev.eventloop.spring.scheduling.LoopAsyncBeanPostProcessor;
import dev.eventloop.spring.scheduling.LoopSchedulingConfigurer;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Role;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration
 * Auto-configuration} that lets Spring's own scheduling use the loops:
 * {@code @Async("<loop or group>")} runs the method on that loop through the
 * {@link dev.eventloop.AsyncContext}, and {@code @Scheduled(scheduler = "<loop>")} runs
 * the task on the loop's own timers. Boot's {@code applicationTaskExecutor} and task
 * scheduler are left as they are, and serve every other {@code @Async} and
 * {@code @Scheduled} method.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = EventLoopAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "eventloop.enabled", matchIfMissing = true)
public final class EventLoopSchedulingAutoConfiguration {

	EventLoopSchedulingAutoConfiguration() {
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static LoopAsyncBeanPostProcessor eventLoopAsyncBeanPostProcessor() {
		return new LoopAsyncBeanPostProcessor();
	}

	@Bean
	LoopSchedulingConfigurer eventLoopSchedulingConfigurer(ConfigurableListableBeanFactory beanFactory) {
		return new LoopSchedulingConfigurer(beanFactory);
	}

}
