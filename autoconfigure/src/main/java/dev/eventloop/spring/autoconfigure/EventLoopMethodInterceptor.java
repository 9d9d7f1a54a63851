package dev.eventloop.spring.autoconfigure;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.lang.reflect.UndeclaredThrowableException;
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

	private final BeanFactory beanFactory;

	// any thread: plans by method and target class, filled at startup and on first calls
	private final Map<MethodClassKey, Object> plans = new ConcurrentHashMap<>();

	// any thread: the last plan looked up for each method, so that a call finds it
	// without allocating a key (a method is nearly always called on one target class)
	private final Map<Method, LastPlan> lastPlans = new ConcurrentHashMap<>();

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
		LastPlan last = this.lastPlans.get(method);
		if (last != null && last.targetClass() == targetClass) {
			return last.plan();
		}
		EventLoopMethod plan = lookUp(method, targetClass);
		this.lastPlans.put(method, new LastPlan(targetClass, plan));
		return plan;
	}

	private @Nullable EventLoopMethod lookUp(Method method, Class<?> targetClass) {
		Object plan = this.plans.computeIfAbsent(new MethodClassKey(method, targetClass), (key) -> {
			// a JDK dynamic proxy's own (final, generated) method is not the one to plan
			Method specific = Proxy.isProxyClass(targetClass) ? method
					: AopUtils.getMostSpecificMethod(method, targetClass);
			EventLoopMethod found = EventLoopMethod.of(specific, targetClass);
			return (found != null) ? found : NOT_INTERCEPTED;
		});
		return (plan != NOT_INTERCEPTED) ? (EventLoopMethod) plan : null;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		Object target = invocation.getThis();
		Class<?> targetClass = (target != null) ? AopUtils.getTargetClass(target)
				: invocation.getMethod().getDeclaringClass();
		EventLoopMethod plan = plan(invocation.getMethod(), targetClass);
		if (plan == null) {
			return invocation.proceed();
		}
		Callable<@Nullable Object> call = () -> proceed(invocation);
		return switch (plan.mode()) {
			case ON_EVENT_LOOP -> onEventLoop(plan, invocation.getArguments(), call);
			case OFFLOAD -> offload(plan, call);
		};
	}

	private @Nullable Object onEventLoop(EventLoopMethod plan, Object[] arguments, Callable<@Nullable Object> method)
			throws Throwable {
		AsyncContext context = asyncContext();
		EventLoopGroup group = plan.group(this.beanFactory);
		Object key = plan.hasKey() ? plan.key(arguments) : null;
		Callable<@Nullable Object> call = observedIfInline(group, key, method);
		return switch (plan.returnKind()) {
			case FUTURE -> flatten(dispatch(context, group, key, call));
			case VOID -> {
				Runnable task = () -> {
					try {
						call.call();
					}
					catch (Exception ex) {
						throw sneaky(ex);
					}
				};
				if (key != null) {
					context.execute(group, key, task);
				}
				else {
					context.execute(group, task);
				}
				yield null;
			}
			case REACTIVE -> ReactorSupport.deferred(plan.reactiveAdapter(), () -> dispatch(context, group, key, call));
			case BLOCKING -> unwrap(() -> (key != null) ? context.call(group, key, call) : context.call(group, call));
		};
	}

	private @Nullable Object offload(EventLoopMethod plan, Callable<@Nullable Object> call) throws Throwable {
		AsyncContext context = asyncContext();
		return switch (plan.returnKind()) {
			case FUTURE -> flatten(context.offload(call));
			case VOID -> {
				context.offload(call).whenComplete((result, ex) -> {
					if (ex != null) {
						logger.error("@Offload method " + EventLoopMethod.describe(plan.method()) + " failed",
								unwrap(ex));
					}
				});
				yield null;
			}
			case REACTIVE -> ReactorSupport.deferred(plan.reactiveAdapter(), () -> context.offload(call));
			case BLOCKING -> unwrap(() -> context.await(context.offload(call)));
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
	 * that future's result.
	 */
	private static CompletableFuture<@Nullable Object> flatten(LoopFuture<@Nullable Object> outer) {
		if (outer.isDone() && !outer.isCompletedExceptionally()) {
			// ran inline: hand back the method's own future without composing stages
			Object result = outer.getNow(null);
			if (result instanceof LoopFuture<?> loopFuture) {
				@SuppressWarnings("unchecked")
				LoopFuture<@Nullable Object> inner = (LoopFuture<@Nullable Object>) loopFuture;
				return inner;
			}
			if (result instanceof CompletionStage<?> stage) {
				CompletableFuture<?> inner = stage.toCompletableFuture();
				if (inner.isDone() && !inner.isCompletedExceptionally()) {
					return LoopFuture.completed(inner.getNow(null));
				}
			}
		}
		return outer.thenCompose((result) -> {
			if (result == null) {
				return CompletableFuture.completedFuture(null);
			}
			@SuppressWarnings("unchecked")
			CompletionStage<@Nullable Object> inner = (CompletionStage<@Nullable Object>) result;
			return inner;
		});
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

	private record LastPlan(Class<?> targetClass, @Nullable EventLoopMethod plan) {
	}

}
