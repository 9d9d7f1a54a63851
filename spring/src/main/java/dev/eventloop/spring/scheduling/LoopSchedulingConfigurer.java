package dev.eventloop.spring.scheduling;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.Ordered;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.scheduling.config.TaskSchedulerRouter;

/**
 * Gives {@code @Scheduled} tasks the {@link LoopTaskSchedulerRouter}, in place of the
 * router that Spring's scheduling support creates when the application configures no
 * scheduler of its own. First among the configurers, so that the application's own can
 * still set another scheduler.
 */
public final class LoopSchedulingConfigurer implements SchedulingConfigurer, Ordered, DisposableBean {

	private final LoopTaskSchedulerRouter router;

	public LoopSchedulingConfigurer(ConfigurableListableBeanFactory beanFactory) {
		this.router = new LoopTaskSchedulerRouter(beanFactory);
	}

	@Override
	public void configureTasks(ScheduledTaskRegistrar registrar) {
		if (registrar.getScheduler() == null || registrar.getScheduler().getClass() == TaskSchedulerRouter.class) {
			registrar.setTaskScheduler(this.router);
		}
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	public void destroy() {
		this.router.destroy();
	}

}
