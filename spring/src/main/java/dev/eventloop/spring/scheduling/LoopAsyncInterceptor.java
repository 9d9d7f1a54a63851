package dev.eventloop.spring.scheduling;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import dev.eventloop.AsyncContext;
import dev.eventloop.EventLoopGroup;
import dev.eventloop.LoopFuture;
import dev.eventloop.spring.EventLoopBeans;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.interceptor.AsyncUncaughtExceptionHandler;
import org.springframework.aop.interceptor.SimpleAsyncUncaughtExceptionHandler;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.BridgeMethodResolver;
import org.springframework.core.MethodClassKey;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.AsyncConfigurer;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;

/**
 * Runs {@code @Async} methods whose qualifier names a loop or a group on it, through the
 * application's {@link AsyncContext} (a group picks its next loop; a caller already on
 * the loop runs the method inline; decorators apply), with the return types that Spring's
 * {@code @Async} supports: {@code void}, {@link Future} and {@link CompletableFuture}.
 * Every other {@code @Async} method goes to Spring's own interceptor.
 */
final class LoopAsyncInterceptor implements MethodInterceptor {

	private static final Object NOT_A_LOOP = new Object();

	private final MethodInterceptor springInterceptor;

	private final ConfigurableListableBeanFactory beanFactory;

	// any thread: the loop or group of each method and target class, or NOT_A_LOOP
	private final Map<MethodClassKey, Object> targets = new ConcurrentHashMap<>();

	LoopAsyncInterceptor(MethodInterceptor springInterceptor, ConfigurableListableBeanFactory beanFactory) {
		this.springInterceptor = springInterceptor;
		this.beanFactory = beanFactory;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		Object target = invocation.getThis();
		Class<?> targetClass = (target != null) ? AopUtils.getTargetClass(target) : null;
		Method method = invocation.getMethod();
		Object group = this.targets.computeIfAbsent(new MethodClassKey(method, targetClass),
				(key) -> resolve(method, targetClass));
		if (group == NOT_A_LOOP) {
			return this.springInterceptor.invoke(invocation);
		}
		return onLoop((EventLoopGroup) group, invocation);
	}

	private Object resolve(Method method, @Nullable Class<?> targetClass) {
		Method specific = BridgeMethodResolver.findBridgedMethod(ClassUtils.getMostSpecificMethod(method, targetClass));
		Async async = AnnotatedElementUtils.findMergedAnnotation(specific, Async.class);
		if (async == null) {
			async = AnnotatedElementUtils.findMergedAnnotation(specific.getDeclaringClass(), Async.class);
		}
		String qualifier = (async != null) ? this.beanFactory.resolveEmbeddedValue(async.value()) : null;
		String loop = StringUtils.hasText(qualifier) ? EventLoopBeans.resolveBeanName(this.beanFactory, qualifier)
				: null;
		if (loop == null) {
			return NOT_A_LOOP;
		}
		return this.beanFactory.getBean(loop, EventLoopGroup.class);
	}

	private @Nullable Object onLoop(EventLoopGroup group, MethodInvocation invocation) {
		Method method = invocation.getMethod();
		Class<?> returnType = method.getReturnType();
		AsyncContext context = this.beanFactory.getBean(AsyncContext.class);
		if (returnType == void.class) {
			context.execute(group, () -> {
				try {
					invocation.proceed();
				}
				catch (Throwable ex) {
					exceptionHandler().handleUncaughtException(ex, method, invocation.getArguments());
				}
			});
			return null;
		}
		if (!Future.class.isAssignableFrom(returnType) || !returnType.isAssignableFrom(CompletableFuture.class)) {
			throw new IllegalArgumentException("@Async method " + ClassUtils.getQualifiedMethodName(method)
					+ " returns " + returnType.getName() + ", which cannot run on event loop group '" + group.name()
					+ "': declare void, Future or CompletableFuture, as Spring's @Async requires");
		}
		Callable<@Nullable Object> call = () -> {
			try {
				return invocation.proceed();
			}
			catch (Exception | Error ex) {
				throw ex;
			}
			catch (Throwable ex) {
				throw new java.lang.reflect.UndeclaredThrowableException(ex);
			}
		};
		return flatten(method, context.dispatch(group, call));
	}

	/**
	 * Turn the future of the call into the future of the result of the future that the
	 * method returned, without waiting on the loop.
	 */
	private static CompletableFuture<@Nullable Object> flatten(Method method, LoopFuture<@Nullable Object> outer) {
		return outer.thenCompose((result) -> {
			if (result == null) {
				return CompletableFuture.completedFuture(null);
			}
			if (result instanceof CompletionStage<?> stage) {
				@SuppressWarnings("unchecked")
				CompletionStage<@Nullable Object> inner = (CompletionStage<@Nullable Object>) stage;
				return inner;
			}
			Future<?> future = (Future<?>) result;
			if (!future.isDone()) {
				return CompletableFuture.failedFuture(new IllegalStateException("@Async method "
						+ ClassUtils.getQualifiedMethodName(method) + " returned a Future that is neither done nor a"
						+ " CompletionStage, which an event loop cannot wait for: return a CompletableFuture"));
			}
			return doneResult(future);
		});
	}

	private static CompletableFuture<@Nullable Object> doneResult(Future<?> done) {
		try {
			return CompletableFuture.completedFuture(done.get());
		}
		catch (ExecutionException ex) {
			return CompletableFuture.failedFuture(ex.getCause());
		}
		catch (InterruptedException | CancellationException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	private AsyncUncaughtExceptionHandler exceptionHandler() {
		AsyncConfigurer configurer = this.beanFactory.getBeanProvider(AsyncConfigurer.class).getIfUnique();
		AsyncUncaughtExceptionHandler handler = (configurer != null) ? configurer.getAsyncUncaughtExceptionHandler()
				: null;
		return (handler != null) ? handler : new SimpleAsyncUncaughtExceptionHandler();
	}

}
