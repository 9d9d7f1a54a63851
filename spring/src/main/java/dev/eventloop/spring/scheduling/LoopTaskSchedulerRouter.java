package dev.eventloop.spring.scheduling;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import dev.eventloop.spring.EventLoopBeans;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.config.TaskSchedulerRouter;

/**
 * Spring's {@link TaskSchedulerRouter}, except that a {@code scheduler} qualifier naming
 * a loop (or a group, which picks its next loop for each task) schedules the task on that
 * loop's own timers. Other qualifiers, and tasks without one, are routed as Spring routes
 * them.
 */
final class LoopTaskSchedulerRouter extends TaskSchedulerRouter {

	private final ConfigurableListableBeanFactory beanFactory;

	// any thread: one scheduler per loop, created on first use
	private final Map<EventLoop, LoopTaskScheduler> schedulers = new ConcurrentHashMap<>();

	LoopTaskSchedulerRouter(ConfigurableListableBeanFactory beanFactory) {
		this.beanFactory = beanFactory;
		setBeanFactory(beanFactory);
	}

	@Override
	protected TaskScheduler determineQualifiedScheduler(String qualifier) {
		String beanName = EventLoopBeans.resolveBeanName(this.beanFactory, qualifier);
		if (beanName != null) {
			EventLoop loop = this.beanFactory.getBean(beanName, EventLoopGroup.class).next();
			return this.schedulers.computeIfAbsent(loop, LoopTaskScheduler::new);
		}
		return super.determineQualifiedScheduler(qualifier);
	}

}
