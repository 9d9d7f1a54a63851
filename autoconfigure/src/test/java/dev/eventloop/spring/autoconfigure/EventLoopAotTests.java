package dev.eventloop.spring.autoconfigure;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.eventloop.AsyncContext;
import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import dev.eventloop.EventLoopRegistry;
import dev.eventloop.spring.OnEventLoop;
import dev.eventloop.spring.actuate.EventLoopsEndpoint;
import dev.eventloop.spring.metrics.EventLoopMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.aot.test.generate.TestGenerationContext;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.context.ConfigurationPropertiesAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.aot.ApplicationContextAotGenerator;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.test.tools.CompileWithForkedClassLoader;
import org.springframework.core.test.tools.TestCompiler;
import org.springframework.javapoet.ClassName;
import org.springframework.stereotype.Component;
import org.springframework.stereotype.Service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Processes an application with every event-loop auto-configuration ahead of time (as
 * {@code spring-boot:process-aot} does), compiles the generated code and starts the
 * application from it.
 */
@CompileWithForkedClassLoader
class EventLoopAotTests {

	private static final String[] BUILD_PROPERTIES = { "eventloop.loops.orders.threads=2",
			"eventloop.loops.pricing.threads=1", "management.endpoints.web.exposure.include=eventloops" };

	@Test
	void processedApplicationStartsWithEveryLoopBean() {
		runProcessed(BUILD_PROPERTIES, (context) -> {
			assertThat(context.getBean("orders")).isInstanceOf(EventLoopGroup.class).isNotInstanceOf(EventLoop.class);
			assertThat(context.getBean("pricing")).isInstanceOf(EventLoop.class);
			assertThat(context.getBean("orders-1", EventLoop.class).name()).isEqualTo("orders-1");
			assertThat(context.getBean("orders-1"))
				.isSameAs(context.getBean("orders", EventLoopGroup.class).loops().get(1));
			assertThat(context.getBean(EventLoopRegistry.class).groupNames()).containsExactly("orders", "pricing");
			assertThat(context.getBean(Injected.class).groups).extracting(EventLoopGroup::name)
				.containsExactlyInAnyOrder("orders", "pricing");
			assertThat(context.getBean(Injected.class).second.name()).isEqualTo("orders-1");
		});
	}

	@Test
	void processedApplicationRunsOnEventLoopMethodsOnTheirLoop() {
		runProcessed(BUILD_PROPERTIES, (context) -> {
			CompletableFuture<String> thread = context.getBean(PricingService.class).price(new PriceRequest("k"));
			assertThat(thread).succeedsWithin(10, TimeUnit.SECONDS).isEqualTo("pricing");
			assertThat(context.getBean(AsyncContext.class)).isNotNull();
		});
	}

	@Test
	void processedApplicationHasHealthEndpointAndMetrics() {
		runProcessed(BUILD_PROPERTIES, (context) -> {
			CompositeHealthContributor health = context.getBean("eventLoopsHealthContributor",
					CompositeHealthContributor.class);
			assertThat(health.stream().map((entry) -> entry.name())).containsExactly("orders-0", "orders-1", "pricing");
			assertThat(context.getBean(EventLoopsEndpoint.class).eventLoops(SecurityContext.NONE).loops()).hasSize(3);
			assertThat(context.getBean(EventLoopMetrics.class)).isNotNull();
			assertThat(context.getBean(MeterRegistry.class).find("eventloop.queue.size").tag("loop", "pricing").gauge())
				.isNotNull();
		});
	}

	@Test
	void settingsOfProcessedApplicationStayConfigurableAtRuntime() {
		runProcessed(
				BUILD_PROPERTIES, new String[] { "eventloop.loops.orders.threads=2",
						"eventloop.loops.pricing.threads=1", "eventloop.loops.pricing.queue-capacity=7" },
				(context) -> {
					EventLoop pricing = context.getBean("pricing", EventLoop.class);
					assertThat(pricing.stats().queue().capacity()).isEqualTo(7);
				});
	}

	@Test
	void changedThreadCountOfProcessedApplicationFailsNamingTheProperty() {
		assertThatExceptionOfType(BeanCreationException.class)
			.isThrownBy(() -> runProcessed(BUILD_PROPERTIES,
					new String[] { "eventloop.loops.orders.threads=3", "eventloop.loops.pricing.threads=1" },
					(context) -> context.getBean("orders")))
			.havingRootCause()
			.isInstanceOf(InvalidEventLoopPropertyException.class)
			.withMessageContaining("'eventloop.loops.orders.threads'")
			.withMessageContaining("processed ahead of time (Spring AOT) with 2 thread(s) for 'orders'");
	}

	@Test
	void loopAddedAfterProcessingFailsNamingTheLoop() {
		assertThatExceptionOfType(BeanCreationException.class).isThrownBy(
				() -> runProcessed(
						BUILD_PROPERTIES, new String[] { "eventloop.loops.orders.threads=2",
								"eventloop.loops.pricing.threads=1", "eventloop.loops.billing.threads=1" },
						(context) -> {
						}))
			.havingRootCause()
			.isInstanceOf(InvalidEventLoopPropertyException.class)
			.withMessageContaining("the loop 'billing' is configured now, but the application was processed ahead"
					+ " of time (Spring AOT) without it");
	}

	@Test
	void unknownKeyAtStartupOfProcessedApplicationFailsNamingTheKey() {
		assertThatExceptionOfType(BeanCreationException.class).isThrownBy(() -> runProcessed(
				BUILD_PROPERTIES, new String[] { "eventloop.loops.orders.threads=2",
						"eventloop.loops.pricing.threads=1", "eventloop.loops.pricing.stall-treshold=1s" },
				(context) -> {
				}))
			.havingRootCause()
			.isInstanceOf(InvalidEventLoopPropertyException.class)
			.withMessageContaining("Unknown property 'eventloop.loops.pricing.stall-treshold'");
	}

	@Test
	void processedApplicationKeepsAServiceNamedLikeALoopBesideTheLoop() {
		runProcessed(WorkerAotApplication.class, new String[] { "eventloop.loops.worker.threads=1" },
				new String[] { "eventloop.loops.worker.threads=1" }, (context) -> {
					assertThat(context.getBean("worker")).isInstanceOf(Worker.class);
					EventLoop loop = context.getBean(WorkerUser.class).loop();
					assertThat(loop.name()).isEqualTo("worker");
					assertThat(context.getBean(EventLoopRegistry.class).loop("worker")).containsSame(loop);
					assertThat(context.getBean(Worker.class).work()).succeedsWithin(10, TimeUnit.SECONDS)
						.isEqualTo("worker");
				});
	}

	@Test
	void processingRegistersHintsForAnnotatedMethodsAndEndpoint() {
		RuntimeHints hints = process(BUILD_PROPERTIES).getRuntimeHints();
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(PricingService.class, "price"))
			.accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(PriceRequest.class)).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(EventLoopsEndpoint.class, "eventLoops"))
			.accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(EventLoopProperties.Loop.class, "valueOf"))
			.accepts(hints);
	}

	@Test
	void runtimeHintsCoverTheSettingsReadReflectively() {
		RuntimeHints hints = new RuntimeHints();
		new EventLoopRuntimeHints().registerHints(hints, getClass().getClassLoader());
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(EventLoopProperties.Loop.class, "valueOf"))
			.accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(EventLoopProperties.Loop.class, "setThreads"))
			.accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(EventLoopProperties.Defaults.class, "setStallThreshold")).accepts(hints);
	}

	private static TestGenerationContext process(String[] properties) {
		return generate(properties).generationContext();
	}

	private static Generated generate(String[] properties) {
		return generate(AotApplication.class, properties);
	}

	private static Generated generate(Class<?> application, String[] properties) {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
			TestPropertyValues.of(properties).applyTo(context);
			context.register(application);
			TestGenerationContext generationContext = new TestGenerationContext();
			ClassName initializer = new ApplicationContextAotGenerator().processAheadOfTime(context, generationContext);
			generationContext.writeGeneratedContent();
			return new Generated(generationContext, initializer);
		}
	}

	private static void runProcessed(String[] properties, Consumer<GenericApplicationContext> assertions) {
		runProcessed(properties, properties, assertions);
	}

	private static void runProcessed(String[] buildProperties, String[] runtimeProperties,
			Consumer<GenericApplicationContext> assertions) {
		runProcessed(AotApplication.class, buildProperties, runtimeProperties, assertions);
	}

	@SuppressWarnings("unchecked")
	private static void runProcessed(Class<?> application, String[] buildProperties, String[] runtimeProperties,
			Consumer<GenericApplicationContext> assertions) {
		Generated generated = generate(application, buildProperties);
		TestCompiler.forSystem().with(generated.generationContext()).compile((compiled) -> {
			try (GenericApplicationContext context = new GenericApplicationContext()) {
				TestPropertyValues.of(runtimeProperties).applyTo(context);
				ApplicationContextInitializer<GenericApplicationContext> initializer = compiled
					.getInstance(ApplicationContextInitializer.class, generated.initializer().toString());
				initializer.initialize(context);
				context.refresh();
				assertions.accept(context);
			}
		});
	}

	private record Generated(TestGenerationContext generationContext, ClassName initializer) {
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ ConfigurationPropertiesAutoConfiguration.class, EventLoopAutoConfiguration.class,
			OnEventLoopAutoConfiguration.class, EventLoopHealthContributorAutoConfiguration.class,
			EventLoopEndpointAutoConfiguration.class, EventLoopMetricsAutoConfiguration.class,
			HealthContributorAutoConfiguration.class, EndpointAutoConfiguration.class, MetricsAutoConfiguration.class,
			SimpleMetricsExportAutoConfiguration.class })
	static class AotApplication {

		@Bean
		PricingService pricingService() {
			return new PricingService();
		}

		@Bean
		Injected injected(List<EventLoopGroup> groups, @Qualifier("orders-1") EventLoop second) {
			return new Injected(groups, second);
		}

	}

	/**
	 * An application with a service named like its loop, {@code worker}.
	 */
	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ ConfigurationPropertiesAutoConfiguration.class, EventLoopAutoConfiguration.class,
			OnEventLoopAutoConfiguration.class })
	@Import({ Worker.class, WorkerUser.class })
	static class WorkerAotApplication {

	}

	@Service("worker")
	static class Worker {

		@OnEventLoop("worker")
		public CompletableFuture<String> work() {
			return CompletableFuture.completedFuture(Thread.currentThread().getName());
		}

	}

	@Component
	static class WorkerUser {

		private final EventLoop loop;

		WorkerUser(@Qualifier("worker") EventLoop loop) {
			this.loop = loop;
		}

		EventLoop loop() {
			return this.loop;
		}

	}

	static class PricingService {

		@OnEventLoop(value = "pricing", key = "#request.sku")
		public CompletableFuture<String> price(PriceRequest request) {
			return CompletableFuture.completedFuture(Thread.currentThread().getName());
		}

	}

	record PriceRequest(String sku) {
	}

	record Injected(List<EventLoopGroup> groups, EventLoop second) {
	}

}
