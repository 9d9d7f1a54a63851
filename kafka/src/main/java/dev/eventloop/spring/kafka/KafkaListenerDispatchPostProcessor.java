package dev.eventloop.spring.kafka;

import java.lang.reflect.Method;

import org.aopalliance.aop.Advice;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.Advisor;
import org.springframework.aop.ClassFilter;
import org.springframework.aop.MethodMatcher;
import org.springframework.aop.Pointcut;
import org.springframework.aop.framework.Advised;
import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcher;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Adds the {@link KafkaListenerDispatchInterceptor} to beans with
 * {@code @KafkaListener @OnEventLoop} methods, in front of the {@code @OnEventLoop}
 * advice, so that the record is dispatched (or held) before that advice would submit it
 * to a possibly full loop.
 */
public final class KafkaListenerDispatchPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor {

	/**
	 * Name of the {@code @OnEventLoop} advice, which must come after this one.
	 */
	private static final String ON_EVENT_LOOP_ADVICE = "dev.eventloop.spring.aop.EventLoopMethodInterceptor";

	private final ObjectProvider<KafkaRecordDispatcher> dispatcher;

	public KafkaListenerDispatchPostProcessor(ObjectProvider<KafkaRecordDispatcher> dispatcher) {
		this.dispatcher = dispatcher;
		setProxyTargetClass(true);
		setBeforeExistingAdvisors(true);
	}

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		super.setBeanFactory(beanFactory);
		this.advisor = new DispatchAdvisor(new KafkaListenerDispatchInterceptor(beanFactory, this.dispatcher));
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		Object result = super.postProcessAfterInitialization(bean, beanName);
		if (result instanceof Advised advised && this.advisor != null) {
			moveInFrontOfOnEventLoopAdvice(advised, this.advisor);
		}
		return result;
	}

	private static void moveInFrontOfOnEventLoopAdvice(Advised advised, Advisor ours) {
		Advisor[] advisors = advised.getAdvisors();
		int oursAt = -1;
		int onEventLoopAt = -1;
		for (int i = 0; i < advisors.length; i++) {
			if (advisors[i] == ours) {
				oursAt = i;
			}
			else if (onEventLoopAt < 0 && advisors[i].getAdvice().getClass().getName().equals(ON_EVENT_LOOP_ADVICE)) {
				onEventLoopAt = i;
			}
		}
		if (oursAt > onEventLoopAt && onEventLoopAt >= 0 && !advised.isFrozen()) {
			advised.removeAdvisor(oursAt);
			advised.addAdvisor(onEventLoopAt, ours);
		}
	}

	private static final class DispatchAdvisor extends AbstractPointcutAdvisor {

		private final KafkaListenerDispatchInterceptor interceptor;

		private final Pointcut pointcut;

		DispatchAdvisor(KafkaListenerDispatchInterceptor interceptor) {
			this.interceptor = interceptor;
			this.pointcut = new Pointcut() {

				@Override
				public ClassFilter getClassFilter() {
					return ClassFilter.TRUE;
				}

				@Override
				public MethodMatcher getMethodMatcher() {
					return new StaticMethodMatcher() {

						@Override
						public boolean matches(Method method, Class<?> targetClass) {
							return interceptor.plan(method, targetClass) != null;
						}

					};
				}

			};
		}

		@Override
		public Pointcut getPointcut() {
			return this.pointcut;
		}

		@Override
		public Advice getAdvice() {
			return this.interceptor;
		}

		@Override
		public boolean equals(@Nullable Object other) {
			return this == other;
		}

		@Override
		public int hashCode() {
			return System.identityHashCode(this);
		}

	}

}
