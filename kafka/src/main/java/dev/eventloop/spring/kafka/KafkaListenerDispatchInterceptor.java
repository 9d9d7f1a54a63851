package dev.eventloop.spring.kafka;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.eventloop.EventLoop;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.MethodClassKey;

/**
 * Sits in front of the {@code @OnEventLoop} advice of {@code @KafkaListener} methods: a
 * record delivered by a listener container goes through the
 * {@link KafkaRecordDispatcher}, which makes the call on the record's loop when the loop
 * has room. Any other call (not on a consumer thread) passes straight through.
 */
final class KafkaListenerDispatchInterceptor implements MethodInterceptor {

	private static final Object NOT_DISPATCHED = new Object();

	private final BeanFactory beanFactory;

	private final ObjectProvider<KafkaRecordDispatcher> dispatcherProvider;

	// any thread: plans by method and target class, filled at startup and on first calls
	private final Map<MethodClassKey, Object> plans = new ConcurrentHashMap<>();

	// resolved on first delivery by a consumer thread; racing resolutions find the same
	// bean
	private volatile @Nullable KafkaRecordDispatcher dispatcher;

	KafkaListenerDispatchInterceptor(BeanFactory beanFactory, ObjectProvider<KafkaRecordDispatcher> dispatcher) {
		this.beanFactory = beanFactory;
		this.dispatcherProvider = dispatcher;
	}

	@Nullable KafkaListenerMethod plan(Method method, Class<?> targetClass) {
		Object plan = this.plans.computeIfAbsent(new MethodClassKey(method, targetClass), (key) -> {
			KafkaListenerMethod found = KafkaListenerMethod.of(AopUtils.getMostSpecificMethod(method, targetClass),
					targetClass);
			return (found != null) ? found : NOT_DISPATCHED;
		});
		return (plan != NOT_DISPATCHED) ? (KafkaListenerMethod) plan : null;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		KafkaRecordDispatcher dispatcher = dispatcher();
		if (dispatcher == null || !dispatcher.onConsumerThread()
				|| !(invocation instanceof ProxyMethodInvocation proxyInvocation) || !dispatcher.committing()) {
			return invocation.proceed();
		}
		Object target = invocation.getThis();
		Class<?> targetClass = (target != null) ? AopUtils.getTargetClass(target)
				: invocation.getMethod().getDeclaringClass();
		KafkaListenerMethod plan = plan(invocation.getMethod(), targetClass);
		if (plan == null) {
			return invocation.proceed();
		}
		@Nullable Object[] arguments = invocation.getArguments();
		EventLoop loop = plan.group(this.beanFactory).forKey(plan.key(arguments));
		// each attempt proceeds a fresh copy, on the loop, into the @OnEventLoop advice
		// (which runs it inline there) and the listener method
		return dispatcher.dispatch(plan.record(arguments), loop, () -> proxyInvocation.invocableClone().proceed());
	}

	private @Nullable KafkaRecordDispatcher dispatcher() {
		KafkaRecordDispatcher dispatcher = this.dispatcher;
		if (dispatcher == null) {
			dispatcher = this.dispatcherProvider.getIfAvailable();
			this.dispatcher = dispatcher;
		}
		return dispatcher;
	}

}
