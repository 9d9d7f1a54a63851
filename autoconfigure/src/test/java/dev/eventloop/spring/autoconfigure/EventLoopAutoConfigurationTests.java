package dev.eventloop.spring.autoconfigure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.eventloop.AsyncContext;
import dev.eventloop.BlockingPolicy;
import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import dev.eventloop.EventLoopRegistry;
import dev.eventloop.IdleStrategy;
import dev.eventloop.LoopFuture;
import dev.eventloop.LoopState;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;

class EventLoopAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EventLoopAutoConfiguration.class));

	@Test
	void runWithoutLoopsConfiguredShouldCreateDefaultLoop() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(EventLoop.class)
				.hasSingleBean(EventLoopRegistry.class)
				.hasSingleBean(AsyncContext.class);
			EventLoop loop = context.getBean("default", EventLoop.class);
			assertThat(loop.name()).isEqualTo("default");
			assertThat(loop.state()).isEqualTo(LoopState.RUNNING);
			assertThat(loop.submit(() -> Thread.currentThread().getName()).get(5, TimeUnit.SECONDS))
				.isEqualTo("default");
			assertThat(context.getBean(EventLoopRegistry.class).groupNames()).containsExactly("default");
		});
	}

	@Test
	void runWithConfiguredLoopsShouldCreateLoopAndGroupBeans() {
		this.contextRunner
			.withPropertyValues("eventloop.loops.pricing.threads=1", "eventloop.loops.orders.threads=4",
					"eventloop.loops.orders.queue-capacity=10000")
			.run((context) -> {
				assertThat(context).doesNotHaveBean("default");
				assertThat(context.getBean("pricing")).isInstanceOf(EventLoop.class);
				EventLoopGroup orders = context.getBean("orders", EventLoopGroup.class);
				assertThat(orders).isNotInstanceOf(EventLoop.class);
				assertThat(orders.size()).isEqualTo(4);
				for (int i = 0; i < 4; i++) {
					EventLoop loop = context.getBean("orders-" + i, EventLoop.class);
					assertThat(loop).isSameAs(orders.loops().get(i));
					assertThat(loop.name()).isEqualTo("orders-" + i);
					assertThat(loop.stats().queue().capacity()).isEqualTo(10000);
				}
				assertThat(context.getBean("pricing", EventLoop.class).stats().queue().capacity()).isZero();
				EventLoopRegistry registry = context.getBean(EventLoopRegistry.class);
				assertThat(registry.groupNames()).containsExactly("pricing", "orders");
				assertThat(registry.loop("orders-3")).containsSame(orders.loops().get(3));
			});
	}

	@Test
	void runWithYamlLoopWithoutSettingsShouldCreateIt() {
		this.contextRunner.withInitializer((context) -> {
			try {
				new YamlPropertySourceLoader().load("loops-example", new ClassPathResource("loops-example.yml"))
					.forEach(context.getEnvironment().getPropertySources()::addFirst);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}).run((context) -> {
			assertThat(context.getBean("pricing")).isInstanceOf(EventLoop.class);
			assertThat(context.getBean("orders", EventLoopGroup.class).size()).isEqualTo(4);
			assertThat(context.getBean("orders-3", EventLoop.class).stats().queue().capacity()).isEqualTo(10000);
			assertThat(context.getBean(EventLoopRegistry.class).groupNames()).containsExactly("pricing", "orders");
		});
	}

	@Test
	void runWithYamlLoopWrittenAsEmptyMapShouldFailExplainingHowToWriteIt() {
		this.contextRunner.withInitializer((context) -> {
			try {
				new YamlPropertySourceLoader().load("loops-empty-map", new ClassPathResource("loops-empty-map.yml"))
					.forEach(context.getEnvironment().getPropertySources()::addFirst);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).isInstanceOf(InvalidEventLoopPropertyException.class)
				.hasMessageContaining("Invalid value '{}' for property 'eventloop.loops.pricing': YAML keeps no"
						+ " property for an empty map, so the loop 'pricing' would not exist.")
				.hasMessageContaining("It is set in class path resource [loops-empty-map.yml] - 3:14.");
		});
	}

	@Test
	void runWithEmptyLoopPropertyShouldCreateLoopWithDefaults() {
		this.contextRunner.withPropertyValues("eventloop.loops.pricing=", "eventloop.defaults.queue-capacity=16")
			.run((context) -> {
				assertThat(context.getBean("pricing", EventLoop.class).stats().queue().capacity()).isEqualTo(16);
				assertThat(context).doesNotHaveBean("default");
			});
	}

	@Test
	void runWithConfiguredLoopsShouldMakeGroupsInjectableByTypeAndLoopsByQualifier() {
		this.contextRunner.withPropertyValues("eventloop.loops.orders.threads=4")
			.withUserConfiguration(InjectionConfiguration.class)
			.run((context) -> {
				InjectionPoints points = context.getBean(InjectionPoints.class);
				assertThat(points.group).isSameAs(context.getBean("orders"));
				assertThat(points.loop.name()).isEqualTo("orders-2");
			});
	}

	@Test
	void runWithDefaultsShouldApplyThemUnlessTheLoopOverrides() {
		this.contextRunner
			.withPropertyValues("eventloop.defaults.queue-capacity=64",
					"eventloop.defaults.idle-strategy=spin-then-park", "eventloop.defaults.stall-threshold=5s",
					"eventloop.loops.fast.threads=1", "eventloop.loops.slow.queue-capacity=8",
					"eventloop.loops.slow.stall-threshold=250ms")
			.run((context) -> {
				assertThat(context.getBean("fast", EventLoop.class).stats().queue().capacity()).isEqualTo(64);
				assertThat(context.getBean("fast", EventLoop.class).stallThreshold()).isEqualTo(Duration.ofSeconds(5));
				assertThat(context.getBean("slow", EventLoop.class).stats().queue().capacity()).isEqualTo(8);
				assertThat(context.getBean("slow", EventLoop.class).stallThreshold()).isEqualTo(Duration.ofMillis(250));
				EventLoopProperties properties = context.getBean(EventLoopProperties.class);
				assertThat(properties.getDefaults().getIdleStrategy()).isEqualTo(IdleStrategy.SPIN_THEN_PARK);
			});
	}

	@Test
	void runWithAdaptiveIdleStrategyShouldBuildLoopsThatUseItUnlessTheLoopOverrides() {
		this.contextRunner
			.withPropertyValues("eventloop.defaults.idle-strategy=adaptive", "eventloop.loops.hot.threads=1",
					"eventloop.loops.calm.idle-strategy=park")
			.run((context) -> {
				EventLoopProperties properties = context.getBean(EventLoopProperties.class);
				assertThat(properties.getDefaults().getIdleStrategy()).isEqualTo(IdleStrategy.ADAPTIVE);
				assertThat(properties.getLoops().get("calm").getIdleStrategy()).isEqualTo(IdleStrategy.PARK);
				// a loop that may spin hands out futures whose waiters may spin too
				LoopFuture<Integer> hot = context.getBean("hot", EventLoop.class).submit(() -> 1);
				assertThat(hot.get(5, TimeUnit.SECONDS)).isEqualTo(1);
				assertThat(hot.getClass().getSimpleName()).isEqualTo("SpinningLoopFuture");
				LoopFuture<Integer> calm = context.getBean("calm", EventLoop.class).submit(() -> 2);
				assertThat(calm.get(5, TimeUnit.SECONDS)).isEqualTo(2);
				assertThat(calm.getClass().getSimpleName()).isEqualTo("SubmittedTask");
			});
	}

	@Test
	void runWithAdaptiveIdleStrategyForOneLoopShouldApplyItToThatLoopOnly() {
		this.contextRunner
			.withPropertyValues("eventloop.loops.hot.idle-strategy=adaptive", "eventloop.loops.calm.threads=1")
			.run((context) -> {
				EventLoopProperties properties = context.getBean(EventLoopProperties.class);
				assertThat(properties.getDefaults().getIdleStrategy()).isEqualTo(IdleStrategy.PARK);
				assertThat(properties.getLoops().get("hot").getIdleStrategy()).isEqualTo(IdleStrategy.ADAPTIVE);
				assertThat(context.getBean("hot", EventLoop.class).submit(() -> 1).getClass().getSimpleName())
					.isEqualTo("SpinningLoopFuture");
				assertThat(context.getBean("calm", EventLoop.class).submit(() -> 2).getClass().getSimpleName())
					.isEqualTo("SubmittedTask");
			});
	}

	@Test
	void runWithBlockingPolicyShouldApplyItToTheLoops() {
		this.contextRunner.withPropertyValues("eventloop.blocking-policy=warn")
			.run((context) -> assertThat(context.getBean(EventLoop.class).blockingPolicy())
				.isEqualTo(BlockingPolicy.WARN));
	}

	@Test
	void runWithCustomizerShouldApplyItToEveryGroup() {
		this.contextRunner.withPropertyValues("eventloop.loops.a.threads=1", "eventloop.loops.b.threads=2")
			.withUserConfiguration(CustomizerConfiguration.class)
			.run((context) -> {
				assertThat(context.getBean(CustomizerConfiguration.class).customized).containsExactly("a", "b");
				assertThat(context.getBean("b-1", EventLoop.class).stats().queue().capacity()).isEqualTo(32);
			});
	}

	@Test
	void runWithUserDefinedGroupOfConfiguredNameShouldUseIt() {
		this.contextRunner.withPropertyValues("eventloop.loops.orders.threads=4")
			.withUserConfiguration(UserGroupConfiguration.class)
			.run((context) -> {
				EventLoopGroup orders = context.getBean("orders", EventLoopGroup.class);
				assertThat(orders).isSameAs(context.getBean(UserGroupConfiguration.class).orders);
				assertThat(orders.size()).isEqualTo(2);
				assertThat(context).doesNotHaveBean("orders-3");
				assertThat(context.getBean(EventLoopRegistry.class).group("orders")).containsSame(orders);
			});
	}

	@Test
	void runWithUserDefinedGroupsAndNoLoopsConfiguredShouldNotCreateDefaultLoop() {
		this.contextRunner.withUserConfiguration(UserGroupConfiguration.class).run((context) -> {
			assertThat(context).doesNotHaveBean("default");
			assertThat(context.getBean(EventLoopRegistry.class).groupNames()).containsExactly("orders");
		});
	}

	@Test
	void runWithUserDefinedAsyncContextShouldUseIt() {
		this.contextRunner.withUserConfiguration(UserAsyncContextConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(AsyncContext.class);
			assertThat(context.getBean(AsyncContext.class))
				.isSameAs(context.getBean(UserAsyncContextConfiguration.class).asyncContext);
		});
	}

	@Test
	void runWithUserDefinedRegistryShouldUseIt() {
		this.contextRunner.withUserConfiguration(UserRegistryConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(EventLoopRegistry.class);
			assertThat(context.getBean(EventLoopRegistry.class).groupNames()).isEmpty();
		});
	}

	@Test
	void runWhenDisabledShouldNotCreateAnything() {
		this.contextRunner.withPropertyValues("eventloop.enabled=false", "eventloop.loops.orders.threads=2")
			.run((context) -> assertThat(context).doesNotHaveBean(EventLoopGroup.class)
				.doesNotHaveBean(EventLoopRegistry.class)
				.doesNotHaveBean(AsyncContext.class)
				.doesNotHaveBean(EventLoopProperties.class));
	}

	@Test
	void closeShouldShutDownLoopsAfterDrainingQueuedTasks() {
		List<EventLoop> loops = new CopyOnWriteArrayList<>();
		CountDownLatch release = new CountDownLatch(1);
		List<String> ran = new CopyOnWriteArrayList<>();
		this.contextRunner.withPropertyValues("eventloop.loops.orders.threads=2").run((context) -> {
			loops.addAll(context.getBean(EventLoopRegistry.class).loops());
			EventLoop loop = loops.get(0);
			loop.execute(() -> await(release));
			loop.execute(() -> ran.add("queued before shutdown"));
			Thread releaser = new Thread(() -> {
				// the context closes on this test's thread: release the loop once its
				// shutdown has begun
				await(() -> loop.state() == LoopState.SHUTTING_DOWN);
				release.countDown();
			});
			releaser.start();
		});
		assertThat(loops).hasSize(2).allSatisfy((loop) -> assertThat(loop.state()).isEqualTo(LoopState.TERMINATED));
		assertThat(ran).containsExactly("queued before shutdown");
	}

	@Test
	void failedStartupShouldShutDownLoops() {
		LoopCapture capture = new LoopCapture();
		this.contextRunner.withUserConfiguration(FailingConfiguration.class)
			.withBean(LoopCapture.class, () -> capture)
			.run((context) -> assertThat(context).hasFailed());
		assertThat(capture.loops).singleElement().satisfies((loop) -> {
			assertThat(loop.name()).isEqualTo("default");
			assertThat(loop.state()).isEqualTo(LoopState.TERMINATED);
		});
	}

	@Test
	void lifecycleShouldStopAfterTheWebServerStopsTakingRequests() {
		assertThat(EventLoopLifecycle.PHASE).isLessThan(WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE)
			.isLessThan(WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE);
	}

	private static void await(CountDownLatch latch) {
		try {
			assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static void await(java.util.function.BooleanSupplier condition) {
		org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(condition::getAsBoolean);
	}

	@Test
	void whenTheContextFailsToStartTheLoopsItBuiltAreStopped() {
		LoopUsingFailingConfiguration.built.clear();
		this.contextRunner.withPropertyValues("eventloop.loops.orders.threads=2", "eventloop.loops.pricing.threads=1")
			.withUserConfiguration(LoopUsingFailingConfiguration.class)
			.run((context) -> assertThat(context).hasFailed());
		assertThat(LoopUsingFailingConfiguration.built).hasSize(2);
		// nothing here shuts them down: the context's destruction of the loop beans did
		for (EventLoopGroup group : LoopUsingFailingConfiguration.built) {
			assertThat(group.loops()).allSatisfy((loop) -> {
				assertThat(loop.terminationFuture()).succeedsWithin(java.time.Duration.ofSeconds(30));
				assertThat(loop.state()).isEqualTo(LoopState.TERMINATED);
			});
		}
	}

	@Test
	void springTaskDecoratorBeansApplyToWorkHandedToTheLoops() throws Exception {
		ThreadLocal<String> tenant = new ThreadLocal<>();
		org.springframework.core.task.TaskDecorator copyTenant = (runnable) -> {
			String captured = tenant.get();
			return () -> {
				tenant.set(captured);
				try {
					runnable.run();
				}
				finally {
					tenant.remove();
				}
			};
		};
		this.contextRunner.withBean(org.springframework.core.task.TaskDecorator.class, () -> copyTenant)
			.run((context) -> {
				AsyncContext async = context.getBean(AsyncContext.class);
				EventLoop loop = context.getBean(EventLoop.class);
				tenant.set("acme");
				try {
					assertThat(async.dispatch(loop, tenant::get).get(5, TimeUnit.SECONDS)).isEqualTo("acme");
					assertThat(async.offload(tenant::get).get(5, TimeUnit.SECONDS)).isEqualTo("acme");
				}
				finally {
					tenant.remove();
				}
				// the loop's thread does not keep the tenant after the task
				assertThat(loop.submit(tenant::get).get(5, TimeUnit.SECONDS)).isNull();
			});
	}

	@Test
	void offloadMaxConcurrencyBelowOneShouldFailStartupNamingTheProperty() {
		this.contextRunner.withPropertyValues("eventloop.offload.max-concurrency=0")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.isInstanceOf(InvalidEventLoopPropertyException.class)
				.hasMessageContaining("eventloop.offload.max-concurrency"));
	}

	static class InjectionPoints {

		final EventLoopGroup group;

		final EventLoop loop;

		InjectionPoints(EventLoopGroup group, EventLoop loop) {
			this.group = group;
			this.loop = loop;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class InjectionConfiguration {

		@Bean
		InjectionPoints injectionPoints(EventLoopGroup group, @Qualifier("orders-2") EventLoop loop) {
			return new InjectionPoints(group, loop);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomizerConfiguration {

		final List<String> customized = new CopyOnWriteArrayList<>();

		@Bean
		EventLoopGroupBuilderCustomizer capacityCustomizer() {
			return (name, builder) -> {
				this.customized.add(name);
				builder.queueCapacity(32);
			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserGroupConfiguration {

		EventLoopGroup orders;

		@Bean
		EventLoopGroup orders() {
			this.orders = EventLoopGroup.builder("orders").threads(2).build();
			return this.orders;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserAsyncContextConfiguration {

		final AsyncContext asyncContext = AsyncContext.create();

		@Bean
		AsyncContext userAsyncContext() {
			return this.asyncContext;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserRegistryConfiguration {

		@Bean
		EventLoopRegistry userRegistry() {
			return new EventLoopRegistry(List.of());
		}

	}

	static class LoopCapture {

		final List<EventLoop> loops = new CopyOnWriteArrayList<>();

	}

	@Configuration(proxyBeanMethods = false)
	static class FailingConfiguration {

		@Bean
		Object failing(EventLoop loop, LoopCapture capture) {
			capture.loops.add(loop);
			throw new IllegalStateException("failing on purpose");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class LoopUsingFailingConfiguration {

		static final java.util.List<EventLoopGroup> built = new java.util.concurrent.CopyOnWriteArrayList<>();

		@Bean
		Object failingService(@org.springframework.beans.factory.annotation.Qualifier("orders") EventLoopGroup orders,
				@org.springframework.beans.factory.annotation.Qualifier("pricing") EventLoopGroup pricing) {
			built.add(orders);
			built.add(pricing);
			throw new IllegalStateException("the service cannot start");
		}

	}

}
