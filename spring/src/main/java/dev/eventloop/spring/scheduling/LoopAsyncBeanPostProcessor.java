package dev.eventloop.spring.scheduling;

import org.aopalliance.intercept.MethodInterceptor;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.Advisor;
import org.springframework.aop.framework.Advised;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.scheduling.annotation.AsyncAnnotationAdvisor;

/**
 * Lets {@code @Async("<loop or group>")} run on that loop: in each proxy that Spring's
 * {@code @Async} support advises, its advisor is replaced by one that sends calls
 * qualified with a loop's or group's name to {@link LoopAsyncInterceptor} and all other
 * calls to Spring's interceptor. Spring would otherwise look the name up as an
 * {@link java.util.concurrent.Executor} bean, which bypasses the {@code AsyncContext} for
 * a loop and fails for a group.
 * <p>
 * Not {@link org.springframework.core.Ordered}, so that it runs after Spring's
 * {@code AsyncAnnotationBeanPostProcessor}, which is.
 */
public final class LoopAsyncBeanPostProcessor implements BeanPostProcessor, BeanFactoryAware {

	// set once at startup, before any bean is post-processed
	private @Nullable ConfigurableListableBeanFactory beanFactory;

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		this.beanFactory = (ConfigurableListableBeanFactory) beanFactory;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
		ConfigurableListableBeanFactory beanFactory = this.beanFactory;
		if (beanFactory == null || !(bean instanceof Advised advised) || advised.isFrozen()) {
			return bean;
		}
		for (Advisor advisor : advised.getAdvisors()) {
			if (advisor instanceof AsyncAnnotationAdvisor async
					&& async.getAdvice() instanceof MethodInterceptor spring) {
				advised.replaceAdvisor(advisor,
						new DefaultPointcutAdvisor(async.getPointcut(), new LoopAsyncInterceptor(spring, beanFactory)));
			}
		}
		return bean;
	}

}
