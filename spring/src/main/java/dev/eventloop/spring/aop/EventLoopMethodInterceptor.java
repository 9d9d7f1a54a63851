package dev.eventloop.spring.aop;

import java.lang.reflect.Method;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import dev.eventloop.AsyncContext;
import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import dev.eventloop.LoopFuture;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;

/**
 * Runs {@code @OnEventLoop} methods on their loop and {@code @Offload} methods off every
 * loop, through the application's {@link AsyncContext}.
 */
final class EventLoopMethodInterceptor implements MethodInterceptor {

	private static final Log logger = LogFactory.getLog(EventLoopMethodInterceptor.class);

	static final Object NO_OBSERVATIONS = new Object();

	private final BeanFactory beanFactory;

	// any thread: the plan of each method, worked out at startup and on first calls
	private final MethodPlans<EventLoopMethod> plans = new MethodPlans<>(EventLoopMethod::of);

	// resolved on first call by any caller thread; racing resolutions find the same bean
	private volatile @Nullable AsyncContext asyncContext;

	// the runner of suspend methods, resolved on first call of one as asyncContext is
	private volatile @Nullable SuspendingMethods suspendingMethods;

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
		return this.plans.plan(method, targetClass);
	}

	MethodPlans<EventLoopMethod> plans() {
		return this.plans;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		EventLoopMethod plan = this.plans.plan(invocation);
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
				if (plan.sequential()) {
					yield context.dispatchSequentially(group, Objects.requireNonNull(key),
							() -> stageOf(MethodResults.proceed(invocation)));
				}
				Callable<@Nullable Object> call = observedIfInline(context, group, key,
						() -> MethodResults.proceedUnwrapped(invocation));
				yield MethodResults.flatten(dispatch(context, group, key, call), plan.method());
			}
			case VOID -> {
				Runnable task = voidTask(context, group, key, invocation);
				if (key != null) {
					context.execute(group, key, task);
				}
				else {
					context.execute(group, task);
				}
				yield null;
			}
			case REACTIVE -> {
				Callable<@Nullable Object> call = observedIfInline(context, group, key,
						() -> MethodResults.proceed(invocation));
				yield ReactorSupport.deferred(plan.reactiveAdapter(), () -> dispatch(context, group, key, call));
			}
			case BLOCKING -> {
				Callable<@Nullable Object> call = observedIfInline(context, group, key,
						() -> MethodResults.proceed(invocation));
				yield unwrap(() -> (key != null) ? context.call(group, key, call) : context.call(group, call));
			}
			case SUSPEND -> {
				if (plan.sequential()) {
					yield suspendingMethods().sequentially(context, group, Objects.requireNonNull(key), invocation);
				}
				// the loop is chosen once per call: the body resumes on it after each
				// suspension
				EventLoop caller = context.inlineLoop(group, key);
				EventLoop loop = (caller != null) ? caller : (key != null) ? group.forKey(key) : group.next();
				yield suspendingMethods().onLoop(loop, invocation);
			}
		};
	}

	private Runnable voidTask(AsyncContext context, EventLoopGroup group, @Nullable Object key,
			MethodInvocation invocation) {
		Callable<@Nullable Object> call = observedIfInline(context, group, key,
				() -> MethodResults.proceed(invocation));
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
			case FUTURE ->
				MethodResults.flatten(context.offload(() -> MethodResults.proceedUnwrapped(invocation)), plan.method());
			case VOID -> {
				context.offload(() -> MethodResults.proceed(invocation)).whenComplete((result, ex) -> {
					if (ex != null) {
						logger.error("@Offload method " + EventLoopMethod.describe(plan.method()) + " failed",
								MethodResults.unwrap(ex));
					}
				});
				yield null;
			}
			case REACTIVE -> ReactorSupport.deferred(plan.reactiveAdapter(),
					() -> context.offload(() -> MethodResults.proceed(invocation)));
			case BLOCKING -> unwrap(() -> context.await(context.offload(() -> MethodResults.proceed(invocation))));
			case SUSPEND -> suspendingMethods().offload(context, invocation);
		};
	}

	@SuppressWarnings("unchecked")
	private static CompletionStage<@Nullable Object> stageOf(@Nullable Object result) {
		return (result instanceof CompletionStage<?> stage) ? (CompletionStage<@Nullable Object>) stage
				: CompletableFuture.completedFuture(result);
	}

	private static LoopFuture<@Nullable Object> dispatch(AsyncContext context, EventLoopGroup group,
			@Nullable Object key, Callable<@Nullable Object> call) {
		return (key != null) ? context.dispatch(group, key, call) : context.dispatch(group, call);
	}

	@SuppressWarnings("unchecked")
	private static <E extends Throwable> E sneaky(Throwable ex) throws E {
		throw (E) ex;
	}

	private static @Nullable Object unwrap(Callable<@Nullable Object> blocking) throws Throwable {
		try {
			return blocking.call();
		}
		catch (CompletionException ex) {
			throw MethodResults.unwrap(ex);
		}
	}

	/**
	 * Observe a call that will run inline on the caller's loop, when task observations
	 * are on (queued calls are observed by their decorator). Whether it runs inline is
	 * the {@link AsyncContext}'s decision.
	 */
	private Callable<@Nullable Object> observedIfInline(AsyncContext context, EventLoopGroup group,
			@Nullable Object key, Callable<@Nullable Object> call) {
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
		EventLoop caller = context.inlineLoop(group, key);
		if (caller == null) {
			return call;
		}
		Object found = observations;
		return () -> ObservationSupport.observeInline(found, caller, call);
	}

	private SuspendingMethods suspendingMethods() {
		SuspendingMethods methods = this.suspendingMethods;
		if (methods == null) {
			methods = this.beanFactory.getBean(SuspendingMethods.class);
			this.suspendingMethods = methods;
		}
		return methods;
	}

	private AsyncContext asyncContext() {
		AsyncContext context = this.asyncContext;
		if (context == null) {
			context = this.beanFactory.getBean(AsyncContext.class);
			this.asyncContext = context;
		}
		return context;
	}

}
