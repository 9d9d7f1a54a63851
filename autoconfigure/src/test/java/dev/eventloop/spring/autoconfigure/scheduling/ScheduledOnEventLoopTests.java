package dev.eventloop.spring.autoconfigure.scheduling;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.eventloop.EventLoop;
import dev.eventloop.spring.autoconfigure.EventLoopAutoConfiguration;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

import static org.assertj.core.api.Assertions.assertThat;

class ScheduledOnEventLoopTests {

	private static final long TIMEOUT_SECONDS = 10;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EventLoopAutoConfiguration.class,
				EventLoopSchedulingAutoConfiguration.class, TaskSchedulingAutoConfiguration.class))
		.withUserConfiguration(ScheduledConfiguration.class)
		.withPropertyValues("eventloop.loops.pricing=", "eventloop.loops.quotes.threads=2",
				"spring.task.scheduling.thread-name-prefix=boot-scheduling-");

	@Test
	void scheduledTasksNamingALoopShouldRunOnItsTimers() {
		this.contextRunner.run((context) -> {
			ScheduledService service = context.getBean(ScheduledService.class);
			assertThat(service.fixedDelay.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
			assertThat(service.fixedRate.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
			assertThat(service.cron.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
			assertThat(service.onLoop).isNotEmpty().allMatch("pricing"::equals);
			assertThat(context.getBean("pricing", EventLoop.class).counters().completed()).isPositive();
		});
	}

	@Test
	void scheduledTaskNamingAGroupShouldRunOnOneOfItsLoops() {
		this.contextRunner.run((context) -> {
			ScheduledService service = context.getBean(ScheduledService.class);
			assertThat(service.onGroup.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
			assertThat(service.groupLoops).isNotEmpty().allMatch((name) -> name.startsWith("quotes-"));
			assertThat(service.groupLoops.stream().distinct()).hasSize(1);
		});
	}

	@Test
	void scheduledTaskWithoutSchedulerShouldStayOnBootsScheduler() {
		this.contextRunner.run((context) -> {
			ScheduledService service = context.getBean(ScheduledService.class);
			assertThat(service.unqualified.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
			assertThat(service.unqualifiedThreads).isNotEmpty().allMatch((name) -> name.startsWith("boot-scheduling-"));
		});
	}

	@Test
	void scheduledTaskObservationsShouldStillBeMadeOnTheLoop() {
		this.contextRunner.run((context) -> {
			ScheduledService service = context.getBean(ScheduledService.class);
			assertThat(service.fixedDelay.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
			ScheduledConfiguration configuration = context.getBean(ScheduledConfiguration.class);
			assertThat(configuration.observed.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
			assertThat(configuration.observedOn).contains("pricing");
		});
	}

	@Test
	void scheduledTaskThatThrowsShouldRunAgain() {
		this.contextRunner.run((context) -> assertThat(
				context.getBean(ScheduledService.class).failing.await(TIMEOUT_SECONDS, TimeUnit.SECONDS))
			.isTrue());
	}

	@Configuration(proxyBeanMethods = false)
	@EnableScheduling
	static class ScheduledConfiguration implements SchedulingConfigurer {

		final CountDownLatch observed = new CountDownLatch(1);

		final List<String> observedOn = new CopyOnWriteArrayList<>();

		@Bean
		ScheduledService scheduledService() {
			return new ScheduledService();
		}

		@Override
		public void configureTasks(ScheduledTaskRegistrar registrar) {
			// as Boot's observability auto-configuration does
			ObservationRegistry registry = ObservationRegistry.create();
			registry.observationConfig().observationHandler(new ObservationHandler<>() {

				@Override
				public void onStart(io.micrometer.observation.Observation.Context observationContext) {
					if (observationContext.getName().equals("tasks.scheduled.execution")) {
						ScheduledConfiguration.this.observedOn.add(Thread.currentThread().getName());
						ScheduledConfiguration.this.observed.countDown();
					}
				}

				@Override
				public boolean supportsContext(io.micrometer.observation.Observation.Context observationContext) {
					return true;
				}

			});
			registrar.setObservationRegistry(registry);
		}

	}

	static class ScheduledService {

		final CountDownLatch fixedDelay = new CountDownLatch(3);

		final CountDownLatch fixedRate = new CountDownLatch(3);

		final CountDownLatch cron = new CountDownLatch(1);

		final CountDownLatch onGroup = new CountDownLatch(3);

		final CountDownLatch unqualified = new CountDownLatch(1);

		final CountDownLatch failing = new CountDownLatch(2);

		final List<String> onLoop = new CopyOnWriteArrayList<>();

		final List<String> groupLoops = new CopyOnWriteArrayList<>();

		final List<String> unqualifiedThreads = new CopyOnWriteArrayList<>();

		private void onLoop(CountDownLatch latch) {
			this.onLoop.add(EventLoop.current().map(EventLoop::name).orElse(Thread.currentThread().getName()));
			latch.countDown();
		}

		@Scheduled(fixedDelay = 20, scheduler = "pricing")
		void pollWithFixedDelay() {
			onLoop(this.fixedDelay);
		}

		@Scheduled(fixedRate = 20, initialDelay = 5, scheduler = "pricing")
		void pollAtFixedRate() {
			onLoop(this.fixedRate);
		}

		@Scheduled(cron = "* * * * * *", scheduler = "pricing")
		void everySecond() {
			onLoop(this.cron);
		}

		@Scheduled(fixedDelay = 20, scheduler = "quotes")
		void onTheGroup() {
			this.groupLoops.add(EventLoop.current().map(EventLoop::name).orElse(Thread.currentThread().getName()));
			this.onGroup.countDown();
		}

		@Scheduled(fixedDelay = 20)
		void onBootsScheduler() {
			this.unqualifiedThreads.add(Thread.currentThread().getName());
			this.unqualified.countDown();
		}

		@Scheduled(fixedDelay = 20, scheduler = "pricing")
		void failEachTime() {
			this.failing.countDown();
			throw new IllegalStateException("scheduled failure, logged and run again");
		}

	}

}
