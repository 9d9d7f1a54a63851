package dev.eventloop.spring.autoconfigure;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import dev.eventloop.EventLoopRegistry;
import dev.eventloop.spring.EventLoopBeans;
import dev.eventloop.spring.OnEventLoop;
import dev.eventloop.spring.actuate.EventLoopsEndpoint;
import dev.eventloop.spring.actuate.EventLoopsEndpoint.LoopDescriptor;
import dev.eventloop.spring.autoconfigure.scheduling.EventLoopSchedulingAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.stereotype.Service;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A loop's name does not take a bean name from the application: a {@code @Service class
 * Worker} (bean {@code worker}) lives beside the loop {@code worker}, and every way of
 * naming the loop still reaches the loop, not the service.
 */
class LoopNamedLikeAnApplicationBeanTests {

	private static final long TIMEOUT_SECONDS = 10;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EventLoopAutoConfiguration.class, OnEventLoopAutoConfiguration.class,
				EventLoopSchedulingAutoConfiguration.class, TaskExecutionAutoConfiguration.class,
				TaskSchedulingAutoConfiguration.class, EventLoopHealthContributorAutoConfiguration.class,
				EventLoopEndpointAutoConfiguration.class, EventLoopMetricsAutoConfiguration.class,
				HealthContributorAutoConfiguration.class, EndpointAutoConfiguration.class,
				MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
		.withPropertyValues("management.endpoints.web.exposure.include=eventloops");

	// the service 'worker' beside the group 'worker' of two loops
	private final ApplicationContextRunner group = this.contextRunner
		.withUserConfiguration(WorkerApplication.class, MemberUser.class)
		.withPropertyValues("eventloop.loops.worker.threads=2");

	// the service 'worker' beside the single loop 'worker'
	private final ApplicationContextRunner single = this.contextRunner.withUserConfiguration(WorkerApplication.class)
		.withPropertyValues("eventloop.loops.worker=");

	@Test
	void applicationBeanKeepsItsNameAndTheLoopsBeanIsPrefixed() {
		this.group.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean("worker")).isInstanceOf(Worker.class);
			assertThat(context.getBean(EventLoopBeans.beanName("worker"), EventLoopGroup.class).name())
				.isEqualTo("worker");
			assertThat(context.getBean(EventLoopBeans.beanName("worker-1"), EventLoop.class).name())
				.isEqualTo("worker-1");
			// no application bean is named worker-1: that name stays an alias of the loop
			assertThat(context.getBean("worker-1")).isSameAs(context.getBean(EventLoopBeans.beanName("worker-1")));
			assertThat(context.getBean(EventLoopRegistry.class).groupNames()).containsExactly("worker");
		});
	}

	@Test
	void qualifierInjectsTheGroupAndItsMemberLoop() {
		this.group.withUserConfiguration(GroupInjection.class).run((context) -> {
			GroupInjection injected = context.getBean(GroupInjection.class);
			EventLoopGroup worker = context.getBean(EventLoopRegistry.class).group("worker").orElseThrow();
			assertThat(injected.group).isSameAs(worker);
			assertThat(injected.member).isSameAs(worker.loops().get(1));
			assertThat(injected.member.name()).isEqualTo("worker-1");
		});
	}

	@Test
	void qualifierInjectsASingleLoop() {
		this.single.withUserConfiguration(LoopInjection.class).run((context) -> {
			EventLoop loop = context.getBean(LoopInjection.class).loop;
			assertThat(loop.name()).isEqualTo("worker");
			assertThat(context.getBean(EventLoopRegistry.class).loop("worker")).containsSame(loop);
		});
	}

	@Test
	void onEventLoopRunsOnTheLoopsThreads() {
		this.group.run((context) -> {
			Worker worker = context.getBean(Worker.class);
			List<String> threads = new CopyOnWriteArrayList<>();
			for (String id : List.of("a", "b", "c", "d", "e", "f")) {
				threads.add(worker.onLoop(id).get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
			}
			assertThat(threads).allMatch((name) -> name.equals("worker-0") || name.equals("worker-1"));
			assertThat(context.getBean(MemberUser.class).onMember().get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
				.isEqualTo("worker-1");
		});
	}

	@Test
	void asyncRunsOnTheLoop() {
		this.single
			.run((context) -> assertThat(context.getBean(Worker.class).async().get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
				.isEqualTo("worker"));
	}

	@Test
	void scheduledRunsOnTheLoop() {
		this.single.run((context) -> {
			Worker worker = context.getBean(Worker.class);
			assertThat(worker.scheduled().await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
			assertThat(worker.scheduledOn()).isNotEmpty().allMatch("worker"::equals);
		});
	}

	@Test
	void endpointAndMetersNameTheLoop() {
		this.single.run((context) -> {
			EventLoop loop = context.getBean(EventLoopRegistry.class).loop("worker").orElseThrow();
			loop.submit(() -> "done").get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
			LoopDescriptor described = context.getBean(EventLoopsEndpoint.class)
				.eventLoop(SecurityContext.NONE, "worker");
			assertThat(described).isNotNull();
			assertThat(described.name()).isEqualTo("worker");
			assertThat(described.group()).isEqualTo("worker");
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			assertThat(meters.get("eventloop.tasks.submitted")
				.tags("loop", "worker", "group", "worker")
				.functionCounter()
				.count()).isGreaterThanOrEqualTo(1.0); // the scheduled task runs there
														// too
		});
	}

	@Test
	void applicationGroupNamedLikeTheLoopStillReplacesIt() {
		this.contextRunner.withUserConfiguration(OwnGroup.class)
			.withPropertyValues("eventloop.loops.worker.threads=2")
			.run((context) -> {
				EventLoopGroup own = context.getBean(OwnGroup.class).own;
				assertThat(context).doesNotHaveBean(EventLoopBeans.beanName("worker"))
					.doesNotHaveBean(EventLoopBeans.beanName("worker-1"));
				assertThat(context.getBean(EventLoopRegistry.class).group("worker")).containsSame(own);
				assertThat(context.getBean(GroupUser.class).onLoop("k").get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
					.isEqualTo("worker");
			});
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAsync
	@EnableScheduling
	@Import(Worker.class)
	static class WorkerApplication {

	}

	/**
	 * The application's bean {@code worker}, which names the loop {@code worker} in every
	 * way there is.
	 */
	@Service("worker")
	static class Worker {

		final CountDownLatch scheduled = new CountDownLatch(2);

		final List<String> scheduledOn = new CopyOnWriteArrayList<>();

		@OnEventLoop(value = "worker", key = "#id")
		public CompletableFuture<String> onLoop(String id) {
			return CompletableFuture.completedFuture(Thread.currentThread().getName());
		}

		@Async("worker")
		public CompletableFuture<String> async() {
			return CompletableFuture.completedFuture(Thread.currentThread().getName());
		}

		// through the proxy: fields of a class-based proxy are its own, not the bean's
		public CountDownLatch scheduled() {
			return this.scheduled;
		}

		public List<String> scheduledOn() {
			return this.scheduledOn;
		}

		@Scheduled(fixedDelay = 10, scheduler = "worker")
		public void tick() {
			if (this.scheduled.getCount() > 0) {
				this.scheduledOn.add(Thread.currentThread().getName());
				this.scheduled.countDown();
			}
		}

	}

	@Component
	static class MemberUser {

		@OnEventLoop("worker-1")
		public CompletableFuture<String> onMember() {
			return CompletableFuture.completedFuture(Thread.currentThread().getName());
		}

	}

	@Component
	static class GroupInjection {

		final EventLoopGroup group;

		final EventLoop member;

		GroupInjection(@Qualifier("worker") EventLoopGroup group, @Qualifier("worker-1") EventLoop member) {
			this.group = group;
			this.member = member;
		}

	}

	@Component
	static class LoopInjection {

		final EventLoop loop;

		LoopInjection(@Qualifier("worker") EventLoop loop) {
			this.loop = loop;
		}

	}

	/**
	 * An event loop group that the application defines under a loop's name (with a thread
	 * count other than configured) replaces that loop.
	 */
	@Configuration(proxyBeanMethods = false)
	static class OwnGroup {

		EventLoopGroup own;

		@Bean(name = "worker", destroyMethod = "close")
		EventLoopGroup ownWorker() {
			this.own = EventLoopGroup.builder("worker").threads(1).build();
			return this.own;
		}

		@Bean
		GroupUser groupUser() {
			return new GroupUser();
		}

	}

	static class GroupUser {

		@OnEventLoop(value = "worker", key = "#id")
		public CompletableFuture<String> onLoop(String id) {
			return CompletableFuture.completedFuture(Thread.currentThread().getName());
		}

	}

}
