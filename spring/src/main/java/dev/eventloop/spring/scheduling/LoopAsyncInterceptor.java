package dev.eventloop.spring.scheduling;

import java.lang.reflect.Method;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

import dev.eventloop.AsyncContext;
import dev.eventloop.EventLoopGroup;
import dev.eventloop.spring.EventLoopBeans;
import dev.eventloop.spring.aop.MethodPlans;
import dev.eventloop.spring.aop.MethodResults;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.interceptor.AsyncUncaughtExceptionHandler;
import org.springframework.aop.interceptor.SimpleAsyncUncaughtExceptionHandler;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
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

	private final MethodInterceptor springInterceptor;

	private final ConfigurableListableBeanFactory beanFactory;

	// any thread: the loop or group of each method, null for methods left to Spring
	private final MethodPlans<EventLoopGroup> groups = new MethodPlans<>(this::resolve);

	LoopAsyncInterceptor(MethodInterceptor springInterceptor, ConfigurableListableBeanFactory beanFactory) {
		this.springInterceptor = springInterceptor;
		this.beanFactory = beanFactory;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		EventLoopGroup group = this.groups.plan(invocation);
		if (group == null) {
			return this.springInterceptor.invoke(invocation);
		}
		return onLoop(group, invocation);
	}

	private @Nullable EventLoopGroup resolve(Method specific, Class<?> targetClass) {
		Async async = AnnotatedElementUtils.findMergedAnnotation(specific, Async.class);
		if (async == null) {
			async = AnnotatedElementUtils.findMergedAnnotation(specific.getDeclaringClass(), Async.class);
		}
		String qualifier = (async != null) ? this.beanFactory.resolveEmbeddedValue(async.value()) : null;
		String loop = StringUtils.hasText(qualifier) ? EventLoopBeans.resolveBeanName(this.beanFactory, qualifier)
				: null;
		if (loop == null) {
			return null;
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
		Callable<@Nullable Object> call = () -> MethodResults.proceedUnwrapped(invocation);
		return MethodResults.flatten(context.dispatch(group, call), method);
	}

	private AsyncUncaughtExceptionHandler exceptionHandler() {
		AsyncConfigurer configurer = this.beanFactory.getBeanProvider(AsyncConfigurer.class).getIfUnique();
		AsyncUncaughtExceptionHandler handler = (configurer != null) ? configurer.getAsyncUncaughtExceptionHandler()
				: null;
		return (handler != null) ? handler : new SimpleAsyncUncaughtExceptionHandler();
	}

}
