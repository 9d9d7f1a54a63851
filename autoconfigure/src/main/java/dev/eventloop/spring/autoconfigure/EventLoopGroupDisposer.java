package dev.eventloop.spring.autoconfigure;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.config.DestructionAwareBeanPostProcessor;

/**
 * Shuts down every event loop group bean when it is destroyed. At a normal shutdown
 * {@link EventLoopLifecycle} has already stopped the loops and this does nothing; when
 * the context fails to start, it keeps loop threads from outliving the context.
 */
final class EventLoopGroupDisposer implements DestructionAwareBeanPostProcessor {

	private static final Log logger = LogFactory.getLog(EventLoopGroupDisposer.class);

	private final Duration timeout;

	EventLoopGroupDisposer(Duration timeout) {
		this.timeout = timeout;
	}

	@Override
	public boolean requiresDestruction(Object bean) {
		return isTopLevelGroup(bean);
	}

	@Override
	public void postProcessBeforeDestruction(Object bean, String beanName) {
		if (!isTopLevelGroup(bean)) {
			return;
		}
		EventLoopGroup group = (EventLoopGroup) bean;
		try {
			group.shutdownGracefully(this.timeout).get(waitMillis(this.timeout), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException | TimeoutException ex) {
			logger.warn("Event loop group '" + group.name() + "' did not terminate cleanly", ex);
		}
	}

	/**
	 * How long to wait for termination: the drain budget and a second of grace, capped at
	 * a day.
	 */
	private static long waitMillis(Duration timeout) {
		Duration cap = Duration.ofDays(1);
		return ((timeout.compareTo(cap) > 0) ? cap : timeout).toMillis() + 1000;
	}

	/**
	 * Return whether the bean is a group in its own right, not a loop of a larger group
	 * (which its group shuts down).
	 */
	static boolean isTopLevelGroup(Object bean) {
		if (bean instanceof EventLoop loop) {
			return loop.group() == loop;
		}
		return bean instanceof EventLoopGroup;
	}

}
