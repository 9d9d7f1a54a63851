package dev.eventloop.spring.aop;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import dev.eventloop.AsyncContext;
import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import dev.eventloop.LoopFuture;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.TargetClassAware;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.core.MethodClassKey;

/**
 * Runs {@code @OnEventLoop} methods on their loop and {@code @Offload} methods off every
 * loop, through the application's {@link AsyncContext}.
 */
final class EventLoopMethodInterceptor implements MethodInterceptor {

	private static final Log logger = LogFactory.getLog(EventLoopMethodInterceptor.class);

	private static final Object NOT_INTERCEPTED = new Object();

	static final Object NO_OBSERVATIONS = new Object();

	private static final int MAX_REMEMBERED = 4096;

	private final BeanFactory beanFactory;

	// any thread: plans by method and target class, filled at startup and on first calls
	private final Map<MethodClassKey, Object> plans = new ConcurrentHashMap<>();

	// any thread reads: the plan of each method for the first class of target object it
	// was called on, so that a call finds it by identity without allocating a key (a
	// method is nearly always called on one target class); never changed once
	// published, replaced by a copy under this interceptor's lock
	private volatile Map<Method, KnownPlan> knownPlans = new IdentityHashMap<>();

	// resolved on first call by any caller thread; racing resolutions find the same bean
	private volatile @Nullable AsyncContext asyncContext;

	// the task observations, or NO_OBSERVATIONS; resolved on first call as asyncContext
	// is
	private volatile @Nullable Object observations;

	EventLoopMethodInterceptor(BeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	/**
	 * Work out (and cache) the plan of a method, failing on a bad annotation.
	 */
	@Nullable EventLoopMethod plan(Method method, Class<?> targetClass) {
		Object plan = this.plans.computeIfAbsent(new MethodClassKey(method, targetClass), (key) -> {
			// a JDK dynamic proxy's own (final, generated) method is not the one to plan
			Method specific = Proxy.isProxyClass(targetClass) ? method
					: AopUtils.getMostSpecificMethod(method, targetClass);
			EventLoopMethod found = EventLoopMethod.of(specific, targetClass);
			return (found != null) ? found : NOT_INTERCEPTED;
		});
		return (plan != NOT_INTERCEPTED) ? (EventLoopMethod) plan : null;
	}

	/**
	 * Find the plan of a call: the one known for its method when the target is of the
	 * class it is known for, without working out the target class or allocating a key.
	 */
	private @Nullable EventLoopMethod plan(MethodInvocation invocation) {
		Method method = invocation.getMethod();
		Object target = invocation.getThis();
		// a TargetClassAware target (itself a proxy) may report another class per call
		Class<?> objectClass = (target != null && !(target instanceof TargetClassAware)) ? target.getClass() : null;
		KnownPlan known = this.knownPlans.get(method);
		if (known != null && objectClass != null && known.objectClass() == objectClass) {
			return known.plan();
		}
		Class<?> targetClass = (target != null) ? AopUtils.getTargetClass(target) : method.getDeclaringClass();
		EventLoopMethod plan = plan(method, targetClass);
		if (known == null && objectClass != null) {
			remember(method, new KnownPlan(objectClass, plan));
		}
		return plan;
	}

	private synchronized void remember(Method method, KnownPlan plan) {
		// bounded, should a caller hand over a new copy of a Method on every call
		if (!this.knownPlans.containsKey(method) && this.knownPlans.size() < MAX_REMEMBERED) {
			Map<Method, KnownPlan> plans = new IdentityHashMap<>(this.knownPlans);
			plans.put(method, plan);
			this.knownPlans = plans;
		}
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		EventLoopMethod plan = plan(invocation);
		if (plan == null) {
			return invocation.proceed();
		}
		return switch (plan.mode()) {
			case ON_EVENT_LOOP -> onEventLoop(plan, invocation);
			case OFFLOAD -> offload(plan, invocation);
		};
	}

	private @Nullable Object onEventLoop(EventLoopMethod plan, MethodInvocation invocation) throws Throwable {
		AsyncContext context = asyncContext();
		EventLoopGroup group = plan.group(this.beanFactory);
		Object key = plan.hasKey() ? plan.key(invocation.getArguments()) : null;
		return switch (plan.returnKind()) {
			case FUTURE -> {
				Callable<@Nullable Object> call = observedIfInline(group, key, () -> proceedUnwrapped(invocation));
				yield flatten(dispatch(context, group, key, call));
			}
			case VOID -> {
				Runnable task = voidTask(group, key, invocation);
				if (key != null) {
					context.execute(group, key, task);
				}
				else {
					context.execute(group, task);
				}
				yield null;
			}
			case REACTIVE -> {
				Callable<@Nullable Object> call = observedIfInline(group, key, () -> proceed(invocation));
				yield ReactorSupport.deferred(plan.reactiveAdapter(), () -> dispatch(context, group, key, call));
			}
			case BLOCKING -> {
				Callable<@Nullable Object> call = observedIfInline(group, key, () -> proceed(invocation));
				yield unwrap(() -> (key != null) ? context.call(group, key, call) : context.call(group, call));
			}
		};
	}

	private Runnable voidTask(EventLoopGroup group, @Nullable Object key, MethodInvocation invocation) {
		Callable<@Nullable Object> call = observedIfInline(group, key, () -> proceed(invocation));
		return () -> {
			try {
				call.call();
			}
			catch (Exception ex) {
				throw sneaky(ex);
			}
		};
	}

	private @Nullable Object offload(EventLoopMethod plan, MethodInvocation invocation) throws Throwable {
		AsyncContext context = asyncContext();
		return switch (plan.returnKind()) {
			case FUTURE -> flatten(context.offload(() -> proceedUnwrapped(invocation)));
			case VOID -> {
				context.offload(() -> proceed(invocation)).whenComplete((result, ex) -> {
					if (ex != null) {
						logger.error("@Offload method " + EventLoopMethod.describe(plan.method()) + " failed",
								unwrap(ex));
					}
				});
				yield null;
			}
			case REACTIVE ->
				ReactorSupport.deferred(plan.reactiveAdapter(), () -> context.offload(() -> proceed(invocation)));
			case BLOCKING -> unwrap(() -> context.await(context.offload(() -> proceed(invocation))));
		};
	}

	private static LoopFuture<@Nullable Object> dispatch(AsyncContext context, EventLoopGroup group,
			@Nullable Object key, Callable<@Nullable Object> call) {
		return (key != null) ? context.dispatch(group, key, call) : context.dispatch(group, call);
	}

	@SuppressWarnings("unchecked")
	private static <E extends Throwable> E sneaky(Throwable ex) throws E {
		throw (E) ex;
	}

	/**
	 * Turn the future of a call whose method itself returns a future into the future of
	 * that future's result. The call ran {@link #proceedUnwrapped(MethodInvocation)}: its
	 * future holds the method's result when the method's own future had already
	 * succeeded, otherwise the method's stage in a {@link MethodStage}.
	 */
	private static CompletableFuture<@Nullable Object> flatten(LoopFuture<@Nullable Object> outer) {
		if (outer.isDone() && !outer.isCompletedExceptionally()) {
			// ran inline: no stage to compose
			Object result = outer.getNow(null);
			if (!(result instanceof MethodStage methodStage)) {
				return outer;
			}
			if (methodStage.stage() instanceof LoopFuture<?> loopFuture) {
				@SuppressWarnings("unchecked")
				LoopFuture<@Nullable Object> inner = (LoopFuture<@Nullable Object>) loopFuture;
				return inner;
			}
		}
		return outer.thenCompose(EventLoopMethodInterceptor::stageOf);
	}

	@SuppressWarnings("unchecked")
	private static CompletionStage<@Nullable Object> stageOf(@Nullable Object result) {
		// a method declared to return Future must still return a CompletionStage
		return (result instanceof MethodStage methodStage) ? (CompletionStage<@Nullable Object>) methodStage.stage()
				: CompletableFuture.completedFuture(result);
	}

	/**
	 * Call a method that returns a future, on its loop: return the future's result if it
	 * is a plain {@link CompletableFuture} that has already succeeded (so that a call run
	 * inline needs no second future), otherwise the method's stage in a
	 * {@link MethodStage}, or {@code null} for a {@code null} stage. Runs on the loop, so
	 * that a failure of the method is counted there.
	 */
	private static @Nullable Object proceedUnwrapped(MethodInvocation invocation) throws Exception {
		Object result = proceed(invocation);
		if (result == null) {
			return null;
		}
		// exactly CompletableFuture: a subclass may override what getNow means
		if (result.getClass() == CompletableFuture.class) {
			CompletableFuture<?> future = (CompletableFuture<?>) result;
			if (future.isDone() && !future.isCompletedExceptionally()) {
				return future.getNow(null);
			}
		}
		return new MethodStage(result);
	}

	private static @Nullable Object proceed(MethodInvocation invocation) throws Exception {
		try {
			return invocation.proceed();
		}
		catch (Exception | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new UndeclaredThrowableException(ex);
		}
	}

	private static @Nullable Object unwrap(Callable<@Nullable Object> blocking) throws Throwable {
		try {
			return blocking.call();
		}
		catch (CompletionException ex) {
			throw unwrap(ex);
		}
	}

	private static Throwable unwrap(Throwable ex) {
		return (ex instanceof CompletionException && ex.getCause() != null) ? ex.getCause() : ex;
	}

	/**
	 * Observe a call that will run inline on the caller's loop, when task observations
	 * are on (queued calls are observed by their decorator).
	 */
	private Callable<@Nullable Object> observedIfInline(EventLoopGroup group, @Nullable Object key,
			Callable<@Nullable Object> call) {
		Object observations = this.observations;
		if (observations == NO_OBSERVATIONS) {
			return call;
		}
		if (observations == null) {
			observations = ObservationSupport.find(this.beanFactory);
			this.observations = observations;
			if (observations == NO_OBSERVATIONS) {
				return call;
			}
		}
		EventLoop caller = EventLoop.current().orElse(null);
		boolean inline = caller != null
				&& ((key != null) ? group.forKey(key) == caller : (caller == group || caller.group() == group));
		if (!inline) {
			return call;
		}
		Object found = observations;
		return () -> ObservationSupport.observeInline(found, caller, call);
	}

	private AsyncContext asyncContext() {
		AsyncContext context = this.asyncContext;
		if (context == null) {
			context = this.beanFactory.getBean(AsyncContext.class);
			this.asyncContext = context;
		}
		return context;
	}

	private record KnownPlan(Class<?> objectClass, @Nullable EventLoopMethod plan) {
	}

	/**
	 * The stage a method returned, when its result could not be taken at once.
	 */
	private record MethodStage(Object stage) {
	}

}
