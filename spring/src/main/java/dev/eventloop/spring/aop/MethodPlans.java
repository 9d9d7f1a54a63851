package dev.eventloop.spring.aop;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.TargetClassAware;
import org.springframework.aop.support.AopUtils;
import org.springframework.core.MethodClassKey;

/**
 * The plans of an interceptor's methods, worked out once per method and target class by a
 * planner and cached: the one cache behind {@code @OnEventLoop} and {@code @Offload},
 * {@code @Async} on loops and the Kafka record dispatch. The planner is given the most
 * specific method of the target class (bridge methods resolved) and returns the plan, or
 * {@code null} for a method the interceptor passes through.
 * <p>
 * A call finds its plan by the identity of its {@link Method} when its target is of the
 * class that method was first called on, without working out the target class or
 * allocating a key; a method is nearly always called on one target class. Support for the
 * starter's own modules, not an API for applications.
 *
 * @param <P> the type of plan
 * @since 0.1.0
 */
public final class MethodPlans<P> {

	private static final Object NONE = new Object();

	private static final int MAX_REMEMBERED = 4096;

	private final BiFunction<Method, Class<?>, @Nullable P> planner;

	// any thread: plans (or NONE) by method and target class, filled at startup and on
	// first calls
	private final Map<MethodClassKey, Object> plans = new ConcurrentHashMap<>();

	// any thread reads: the plan of each method for the first class of target object it
	// was called on; never changed once published, replaced by a copy under this
	// object's lock
	private volatile Map<Method, Known> known = new IdentityHashMap<>();

	/**
	 * Create the plans of one interceptor.
	 * @param planner works out the plan of the most specific method of a target class, or
	 * returns {@code null} for a method not to be intercepted; may throw to fail startup
	 * on a bad annotation
	 */
	public MethodPlans(BiFunction<Method, Class<?>, @Nullable P> planner) {
		this.planner = planner;
	}

	/**
	 * Return the plan of a method for a target class, working it out on first use.
	 * @param method the method, as declared or as invoked
	 * @param targetClass the class of the target object
	 * @return the plan, or {@code null} when the method is not intercepted
	 */
	@SuppressWarnings("unchecked")
	public @Nullable P plan(Method method, Class<?> targetClass) {
		Object plan = this.plans.computeIfAbsent(new MethodClassKey(method, targetClass), (key) -> {
			// a JDK dynamic proxy's own (final, generated) method is not the one to plan
			Method specific = Proxy.isProxyClass(targetClass) ? method
					: AopUtils.getMostSpecificMethod(method, targetClass);
			P found = this.planner.apply(specific, targetClass);
			return (found != null) ? found : NONE;
		});
		return (plan != NONE) ? (P) plan : null;
	}

	/**
	 * Return the plan of a call.
	 * @param invocation the call
	 * @return the plan, or {@code null} when the method is not intercepted
	 */
	@SuppressWarnings("unchecked")
	public @Nullable P plan(MethodInvocation invocation) {
		Method method = invocation.getMethod();
		Object target = invocation.getThis();
		// a TargetClassAware target (itself a proxy) may report another class per call
		Class<?> objectClass = (target != null && !(target instanceof TargetClassAware)) ? target.getClass() : null;
		Known known = this.known.get(method);
		if (known != null && objectClass != null && known.objectClass() == objectClass) {
			return (P) known.plan();
		}
		Class<?> targetClass = (target != null) ? AopUtils.getTargetClass(target) : method.getDeclaringClass();
		P plan = plan(method, targetClass);
		if (known == null && objectClass != null) {
			remember(method, new Known(objectClass, plan));
		}
		return plan;
	}

	private synchronized void remember(Method method, Known plan) {
		// bounded, should a caller hand over a new copy of a Method on every call
		if (!this.known.containsKey(method) && this.known.size() < MAX_REMEMBERED) {
			Map<Method, Known> known = new IdentityHashMap<>(this.known);
			known.put(method, plan);
			this.known = known;
		}
	}

	private record Known(Class<?> objectClass, @Nullable Object plan) {
	}

}
