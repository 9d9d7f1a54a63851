package dev.eventloop.spring.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import dev.eventloop.AsyncContext;
import dev.eventloop.CallableDecorator;
import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import dev.eventloop.EventLoopRegistry;
import dev.eventloop.ForeignLoopDetector;
import dev.eventloop.Ticker;
import dev.eventloop.spring.aop.OffloadExecution;
import dev.eventloop.spring.propagation.CompositeCallableDecorator;
import dev.eventloop.spring.propagation.ContextSnapshotCallableDecorator;
import dev.eventloop.spring.propagation.TaskDecoratorAdapter;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshotFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import org.slf4j.MDC;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.thread.Threading;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.core.task.TaskDecorator;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration
 * Auto-configuration} for managed event loops: one bean per configured loop and group (a
 * loop named {@code default} when none is configured), an {@link EventLoopRegistry}, an
 * {@link AsyncContext} and the lifecycle that stops the loops after the web server at
 * shutdown. Event-loop threads of Reactor, Netty and Vert.x are recognised when those
 * libraries are present, and thread-local context is carried onto the loops when
 * Micrometer's context-propagation is present (unless {@code eventloop.propagate-context}
 * is {@code false}).
 * <p>
 * Ordered after {@link TaskExecutionAutoConfiguration}: loops are
 * {@link java.util.concurrent.Executor Executors}, and Boot creates its
 * {@code applicationTaskExecutor} only while no {@code Executor} bean exists.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = TaskExecutionAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "eventloop.enabled", matchIfMissing = true)
@EnableConfigurationProperties(EventLoopProperties.class)
@Import(EventLoopBeanRegistrar.class)
public final class EventLoopAutoConfiguration {

	EventLoopAutoConfiguration() {
	}

	// the registrar validates the configuration when it registers the loops; this checks
	// it again when they are built, for an application processed ahead of time
	@Bean(EventLoopGroupFactory.BEAN_NAME)
	EventLoopGroupFactory eventLoopGroupFactory(EventLoopProperties properties, Environment environment,
			ListableBeanFactory beanFactory, ObjectProvider<EventLoopGroupBuilderCustomizer> customizers,
			ObjectProvider<Ticker> ticker) {
		EventLoopPropertiesValidator.validate(properties, environment);
		EventLoopPropertiesValidator.checkRegistered(properties, environment, beanFactory);
		return new EventLoopGroupFactory(properties, customizers.orderedStream().toList(),
				ticker.getIfUnique(Ticker::system));
	}

	// static: a bean factory post-processor, created before the configuration
	@Bean
	static EventLoopAliases eventLoopAliases() {
		return new EventLoopAliases();
	}

	@Bean
	@ConditionalOnMissingBean
	EventLoopRegistry eventLoopRegistry(ObjectProvider<EventLoopGroup> groups) {
		// a loop of a larger group is reached through its group
		return new EventLoopRegistry(groups.orderedStream()
			.filter((group) -> !(group instanceof EventLoop loop) || loop.group() == loop)
			.toList());
	}

	@Bean
	EventLoopLifecycle eventLoopLifecycle(EventLoopRegistry registry, EventLoopProperties properties) {
		return new EventLoopLifecycle(registry, properties.getShutdownTimeout());
	}

	@Bean
	@ConditionalOnMissingBean
	OffloadExecution eventLoopOffloadExecution(EventLoopProperties properties, Environment environment) {
		return OffloadExecution.create(Threading.VIRTUAL.isActive(environment),
				properties.getOffload().getMaxConcurrency());
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	AsyncContext asyncContext(EventLoopProperties properties, OffloadExecution offloadExecution,
			ObjectProvider<ForeignLoopDetector> foreignLoopDetectors,
			ObjectProvider<CallableDecorator> callableDecorators, ObjectProvider<TaskDecorator> taskDecorators) {
		AsyncContext.Builder builder = AsyncContext.builder()
			.blockingPolicy(properties.getBlockingPolicy())
			.maxInlineDepth(properties.getMaxInlineDepth())
			.offloadExecutor(offloadExecution.executor());
		foreignLoopDetectors.orderedStream().forEach(builder::foreignLoopDetector);
		List<CallableDecorator> decorators = new ArrayList<>(callableDecorators.orderedStream().toList());
		taskDecorators.orderedStream().map(TaskDecoratorAdapter::new).forEach(decorators::add);
		if (!decorators.isEmpty()) {
			builder.callableDecorator(new CompositeCallableDecorator(decorators));
		}
		return builder.build();
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "reactor.core.scheduler.Schedulers")
	static class ReactorForeignLoopConfiguration {

		@Bean
		ForeignLoopDetector reactorForeignLoopDetector() {
			return Schedulers::isNonBlockingThread;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "io.netty.util.internal.ThreadExecutorMap")
	static class NettyForeignLoopConfiguration {

		@Bean
		ForeignLoopDetector nettyForeignLoopDetector() {
			return (thread) -> {
				EventExecutor executor = ThreadExecutorMap.currentExecutor();
				return executor != null && executor.inEventLoop(thread);
			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "io.vertx.core.Context")
	static class VertxForeignLoopConfiguration {

		@Bean
		ForeignLoopDetector vertxForeignLoopDetector() {
			return (thread) -> thread == Thread.currentThread() && io.vertx.core.Context.isOnEventLoopThread();
		}

	}

	/**
	 * Clears the logging MDC on every loop after each task, so that what one task writes
	 * there never reaches the next: every task starts with the context propagated to it,
	 * or an empty one.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.slf4j.MDC")
	static class MdcIsolationConfiguration {

		@Bean
		@Order(0)
		EventLoopGroupBuilderCustomizer eventLoopMdcIsolation() {
			return (name, builder) -> builder.afterEachTask(MDC::clear);
		}

	}

	/**
	 * Carries the caller's context onto the loops with what is registered in Micrometer's
	 * global {@link ContextRegistry} (the current observation, and with it the trace and
	 * the trace ids that tracing puts in the logging MDC); registers nothing there
	 * itself.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "io.micrometer.context.ContextSnapshotFactory")
	@ConditionalOnBooleanProperty(name = "eventloop.propagate-context", matchIfMissing = true)
	static class ContextPropagationConfiguration {

		// first among the decorators: the others run inside the restored context
		@Bean
		@Order(0)
		CallableDecorator contextPropagationTaskDecorator() {
			return new ContextSnapshotCallableDecorator(ContextSnapshotFactory.builder()
				.contextRegistry(ContextRegistry.getInstance())
				.clearMissing(true)
				.build());
		}

	}

}
