package dev.eventloop.spring.kafka;

import java.lang.reflect.Method;

import dev.eventloop.EventLoopGroup;
import dev.eventloop.spring.aop.MethodPlans;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Sits in front of the {@code @OnEventLoop} advice of {@code @KafkaListener} methods: a
 * record delivered by a listener container goes through the
 * {@link KafkaRecordDispatcher}, which makes the call on the record's loop when the loop
 * has room. Any other call (not on a consumer thread) passes straight through.
 */
final class KafkaListenerDispatchInterceptor implements MethodInterceptor {

	private final BeanFactory beanFactory;

	private final ObjectProvider<KafkaRecordDispatcher> dispatcherProvider;

	// any thread: the plan of each method, worked out at startup and on first calls
	private final MethodPlans<KafkaListenerMethod> plans = new MethodPlans<>(KafkaListenerMethod::of);

	// resolved on first delivery by a consumer thread; racing resolutions find the same
	// bean
	private volatile @Nullable KafkaRecordDispatcher dispatcher;

	KafkaListenerDispatchInterceptor(BeanFactory beanFactory, ObjectProvider<KafkaRecordDispatcher> dispatcher) {
		this.beanFactory = beanFactory;
		this.dispatcherProvider = dispatcher;
	}

	@Nullable KafkaListenerMethod plan(Method method, Class<?> targetClass) {
		return this.plans.plan(method, targetClass);
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		KafkaRecordDispatcher dispatcher = dispatcher();
		if (dispatcher == null || !dispatcher.onConsumerThread()
				|| !(invocation instanceof ProxyMethodInvocation proxyInvocation) || !dispatcher.committing()) {
			return invocation.proceed();
		}
		KafkaListenerMethod plan = this.plans.plan(invocation);
		if (plan == null) {
			return invocation.proceed();
		}
		@Nullable Object[] arguments = invocation.getArguments();
		EventLoopGroup group = plan.group(this.beanFactory);
		RecordOrdering ordering = plan.ordering(dispatcher.ordering());
		Object key;
		try {
			key = plan.key(arguments);
		}
		catch (RuntimeException ex) {
			// tracked like any record, and handed to the error handler when it "fails"
			return answer(plan,
					dispatcher.dispatch(plan.record(arguments), group.next(), null, RecordOrdering.UNORDERED, () -> {
						throw ex;
					}));
		}
		// each attempt proceeds a fresh copy, on the loop, into the @OnEventLoop advice
		// (which runs it inline there) and the listener method; a suspend listener's
		// record is done when the function returns
		RecordWork.ListenerInvocation attempt = plan.isSuspending()
				? () -> SuspendingListeners.completion(proxyInvocation.invocableClone().proceed())
				: () -> proxyInvocation.invocableClone().proceed();
		return answer(plan, dispatcher.dispatch(plan.record(arguments), group.forKey(key), key, ordering, attempt));
	}

	/**
	 * What the container gets: the dispatch's completed future, so that it polls on; for
	 * a suspend listener nothing (Spring's proxy returns it as the function's result).
	 */
	private static @Nullable Object answer(KafkaListenerMethod plan, Object dispatched) {
		return plan.isSuspending() ? null : dispatched;
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
