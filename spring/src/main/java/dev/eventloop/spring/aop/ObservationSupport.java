package dev.eventloop.spring.aop;

import java.util.concurrent.Callable;

import dev.eventloop.EventLoop;
import dev.eventloop.spring.observation.EventLoopTaskObservations;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.util.ClassUtils;

/**
 * Task observations for the {@code @OnEventLoop} proxy; loaded by it only through methods
 * that check first whether Micrometer's Observation API is present.
 */
final class ObservationSupport {

	private static final boolean present = ClassUtils.isPresent("io.micrometer.observation.ObservationRegistry",
			ObservationSupport.class.getClassLoader());

	private ObservationSupport() {
	}

	/**
	 * Return the application's task observations, or
	 * {@link EventLoopMethodInterceptor#NO_OBSERVATIONS}.
	 */
	static Object find(BeanFactory beanFactory) {
		if (!present) {
			return EventLoopMethodInterceptor.NO_OBSERVATIONS;
		}
		EventLoopTaskObservations observations = beanFactory.getBeanProvider(EventLoopTaskObservations.class)
			.getIfAvailable();
		return (observations != null) ? observations : EventLoopMethodInterceptor.NO_OBSERVATIONS;
	}

	static @Nullable Object observeInline(Object observations, EventLoop loop, Callable<@Nullable Object> call)
			throws Exception {
		return ((EventLoopTaskObservations) observations).observeInline(loop, call);
	}

}
