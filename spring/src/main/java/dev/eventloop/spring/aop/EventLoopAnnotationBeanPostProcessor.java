package dev.eventloop.spring.aop;

import java.lang.reflect.Proxy;

import dev.eventloop.spring.EventLoopBeans;
import dev.eventloop.spring.Offload;
import dev.eventloop.spring.OnEventLoop;
import org.aopalliance.aop.Advice;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.Pointcut;
import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.ComposablePointcut;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.util.ReflectionUtils;

/**
 * Proxies beans with {@link OnEventLoop @OnEventLoop} (on the type or on methods) or
 * {@link Offload @Offload} methods, using Spring AOP. Each annotated method is checked
 * when its bean is created: key expressions are parsed and loop names looked up, so that
 * mistakes fail startup. A bean that is already a Spring AOP proxy gets the advice added
 * to it; any other JDK dynamic proxy is wrapped in one implementing its interfaces.
 */
public final class EventLoopAnnotationBeanPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor {

	// set once in setBeanFactory, during startup, before any bean is post-processed
	private @Nullable EventLoopMethodInterceptor interceptor;

	public EventLoopAnnotationBeanPostProcessor() {
		setProxyTargetClass(true);
		setBeforeExistingAdvisors(true);
	}

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		super.setBeanFactory(beanFactory);
		this.interceptor = new EventLoopMethodInterceptor(beanFactory);
		this.advisor = new EventLoopAdvisor(this.interceptor);
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (isEligible(bean, beanName)) {
			check(AopUtils.getTargetClass(bean));
		}
		return super.postProcessAfterInitialization(bean, beanName);
	}

	private void check(Class<?> targetClass) {
		EventLoopMethodInterceptor interceptor = this.interceptor;
		if (interceptor == null) {
			return;
		}
		// the generated methods of a JDK dynamic proxy are final; calls reach it, and the
		// advice, through its interfaces, which carry the annotations
		Class<?>[] types = Proxy.isProxyClass(targetClass) ? targetClass.getInterfaces()
				: new Class<?>[] { targetClass };
		for (Class<?> type : types) {
			ReflectionUtils.doWithMethods(type, (method) -> {
				EventLoopMethod plan = interceptor.plan(method, targetClass);
				if (plan != null && plan.mode() == EventLoopMethod.Mode.ON_EVENT_LOOP) {
					checkLoopName(plan);
				}
			}, ReflectionUtils.USER_DECLARED_METHODS);
		}
	}

	private void checkLoopName(EventLoopMethod plan) {
		String name = plan.loopName();
		ConfigurableListableBeanFactory beanFactory = this.beanFactory;
		if (beanFactory == null || EventLoopBeans.resolveBeanName(beanFactory, name) != null) {
			return;
		}
		throw new UnknownEventLoopException(EventLoopMethod.describe(plan.method()), name,
				EventLoopBeans.names(beanFactory));
	}

	/**
	 * Matches every method of a type annotated with {@code @OnEventLoop} and every method
	 * annotated with {@code @OnEventLoop} or {@code @Offload}.
	 */
	private static final class EventLoopAdvisor extends AbstractPointcutAdvisor {

		private final Advice advice;

		private final Pointcut pointcut;

		EventLoopAdvisor(Advice advice) {
			this.advice = advice;
			this.pointcut = new ComposablePointcut(new AnnotationMatchingPointcut(OnEventLoop.class, true))
				.union(new AnnotationMatchingPointcut(null, OnEventLoop.class, true))
				.union(new AnnotationMatchingPointcut(null, Offload.class, true));
		}

		@Override
		public Pointcut getPointcut() {
			return this.pointcut;
		}

		@Override
		public Advice getAdvice() {
			return this.advice;
		}

	}

}
