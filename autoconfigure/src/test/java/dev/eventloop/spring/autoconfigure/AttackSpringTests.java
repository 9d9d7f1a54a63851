package dev.eventloop.spring.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.eventloop.AsyncContext;
import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import dev.eventloop.EventLoopRegistry;
import dev.eventloop.LoopState;
import dev.eventloop.Ticker;
import dev.eventloop.spring.EventLoopBeans;
import dev.eventloop.spring.OnEventLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.annotation.Order;
import org.springframework.core.task.TaskDecorator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Adversarial tests of the auto-configuration's promises.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(OutputCaptureExtension.class)
class AttackSpringTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EventLoopAutoConfiguration.class, OnEventLoopAutoConfiguration.class));

	// 1. normal close terminates every loop, member loops are not closed on their own
	@Test
	void closingTheContextTerminatesEveryLoopWithoutErrors(CapturedOutput output) {
		List<EventLoop> loops = new ArrayList<>();
		this.contextRunner.withPropertyValues("eventloop.loops.solo.threads=1", "eventloop.loops.orders.threads=3")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				loops.add(context.getBean("solo", EventLoop.class));
				EventLoopGroup orders = context.getBean("orders", EventLoopGroup.class);
				for (int i = 0; i < 3; i++) {
					EventLoop member = context.getBean("orders-" + i, EventLoop.class);
					assertThat(member).isSameAs(orders.loops().get(i));
					loops.add(member);
				}
				for (EventLoop loop : loops) {
					assertThat(loop.state()).isEqualTo(LoopState.RUNNING);
				}
			});
		for (EventLoop loop : loops) {
			assertThat(loop.terminationFuture()).as("termination of %s", loop.name())
				.succeedsWithin(10, TimeUnit.SECONDS);
			assertThat(loop.state()).as("state of %s", loop.name()).isEqualTo(LoopState.TERMINATED);
		}
		assertThat(output).doesNotContain("Invocation of destroy method")
			.doesNotContain("Exception")
			.doesNotContain("ERROR")
			.doesNotContain("WARN");
	}

	// 2. a failed start terminates the loops of a 3-thread group
	@Test
	void failedStartTerminatesEveryLoopOfTheGroup() {
		FailingBean.seen.clear();
		this.contextRunner.withPropertyValues("eventloop.loops.orders.threads=3")
			.withUserConfiguration(FailingConfiguration.class)
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).hasRootCauseMessage("boom after loops exist");
			});
		assertThat(FailingBean.seen).hasSize(3);
		for (EventLoop loop : FailingBean.seen) {
			assertThat(loop.terminationFuture()).as("termination of %s", loop.name())
				.succeedsWithin(10, TimeUnit.SECONDS);
			assertThat(loop.state()).isEqualTo(LoopState.TERMINATED);
		}
	}

	// 3a. two ordered TaskDecorators apply to dispatch from a plain thread and to offload
	@Test
	void taskDecoratorsApplyToDispatchAndOffload() {
		this.contextRunner.withUserConfiguration(OrderedDecoratorsConfiguration.class).run((context) -> {
			assertThat(context).hasNotFailed();
			AsyncContext async = context.getBean(AsyncContext.class);
			EventLoopGroup loop = context.getBean(OnEventLoop.DEFAULT_LOOP, EventLoopGroup.class);
			List<String> trace = context.getBean("trace", Trace.class).events;

			String dispatched = async.dispatch(loop, () -> {
				trace.add("task:" + Thread.currentThread().getName());
				return "dispatched";
			}).get(10, TimeUnit.SECONDS);
			assertThat(dispatched).isEqualTo("dispatched");
			assertThat(trace).containsExactlyInAnyOrder("first", "second", "task:default");
			assertThat(trace.get(2)).isEqualTo("task:default");

			trace.clear();
			String offloaded = async.offload(() -> {
				trace.add("task");
				return "offloaded";
			}).get(10, TimeUnit.SECONDS);
			assertThat(offloaded).isEqualTo("offloaded");
			assertThat(trace).containsExactlyInAnyOrder("first", "second", "task");
			assertThat(trace.get(2)).isEqualTo("task");
		});
	}

	// 3b. a decorator throwing inside the decorated runnable fails the future with it
	@Test
	void throwingTaskDecoratorFailsTheFutureWithItsException() {
		this.contextRunner.withUserConfiguration(ThrowingDecoratorConfiguration.class).run((context) -> {
			assertThat(context).hasNotFailed();
			AsyncContext async = context.getBean(AsyncContext.class);
			EventLoopGroup loop = context.getBean(OnEventLoop.DEFAULT_LOOP, EventLoopGroup.class);
			CompletableFuture<String> dispatched = async.dispatch(loop, () -> "never");
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> dispatched.get(10, TimeUnit.SECONDS))
				.withCauseInstanceOf(DecoratorFailure.class)
				.havingCause()
				.withMessage("decorator blew up");
			CompletableFuture<String> offloaded = async.offload(() -> "never");
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> offloaded.get(10, TimeUnit.SECONDS))
				.withCauseInstanceOf(DecoratorFailure.class)
				.havingCause()
				.withMessage("decorator blew up");
		});
	}

	// 3c. a decorator that never runs the runnable fails the future with an ISE
	@Test
	void decoratorThatNeverRunsTheTaskFailsTheFuture() {
		this.contextRunner.withUserConfiguration(SwallowingDecoratorConfiguration.class).run((context) -> {
			assertThat(context).hasNotFailed();
			AsyncContext async = context.getBean(AsyncContext.class);
			EventLoopGroup loop = context.getBean(OnEventLoop.DEFAULT_LOOP, EventLoopGroup.class);
			CompletableFuture<String> dispatched = async.dispatch(loop, () -> "never");
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> dispatched.get(10, TimeUnit.SECONDS))
				.withCauseInstanceOf(IllegalStateException.class)
				.havingCause()
				.withMessageContaining("decorator must")
				.withMessageContaining("run");
			CompletableFuture<String> offloaded = async.offload(() -> "never");
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> offloaded.get(10, TimeUnit.SECONDS))
				.withCauseInstanceOf(IllegalStateException.class)
				.havingCause()
				.withMessageContaining("decorator must");
		});
	}

	// 4. a Ticker bean is used by every configured loop
	@Test
	void tickerBeanIsUsedByEveryLoop() {
		this.contextRunner.withPropertyValues("eventloop.loops.solo.threads=1", "eventloop.loops.multi.threads=3")
			.withUserConfiguration(TickerConfiguration.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				Ticker ticker = context.getBean(Ticker.class);
				assertThat(ticker).isInstanceOf(TestTicker.class);
				assertThat(context.getBean("solo", EventLoop.class).ticker()).isSameAs(ticker);
				for (int i = 0; i < 3; i++) {
					assertThat(context.getBean("multi-" + i, EventLoop.class).ticker()).as("multi-%d", i)
						.isSameAs(ticker);
				}
				for (EventLoop loop : context.getBean("multi", EventLoopGroup.class).loops()) {
					assertThat(loop.ticker()).isSameAs(ticker);
				}
			});
	}

	// 5. DEFAULT_LOOP names the loop created when nothing is configured
	@Test
	void defaultLoopConstantMatchesTheDefaultLoopBeanName() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBeanNamesForType(EventLoopGroup.class))
				.containsExactly(EventLoopBeans.beanName(OnEventLoop.DEFAULT_LOOP));
			EventLoop loop = context.getBean(OnEventLoop.DEFAULT_LOOP, EventLoop.class);
			assertThat(loop.name()).isEqualTo(OnEventLoop.DEFAULT_LOOP);
			assertThat(context.getBean(EventLoopRegistry.class).groupNames()).containsExactly(OnEventLoop.DEFAULT_LOOP);
		});
	}

	static final class TestTicker implements Ticker {

		private final AtomicLong now = new AtomicLong();

		@Override
		public long nanoTime() {
			return this.now.get();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TickerConfiguration {

		@Bean
		TestTicker testTicker() {
			return new TestTicker();
		}

	}

	static class FailingBean {

		static final List<EventLoop> seen = new CopyOnWriteArrayList<>();

		FailingBean(EventLoopGroup orders) {
			seen.addAll(orders.loops());
			throw new IllegalStateException("boom after loops exist");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class FailingConfiguration {

		@Bean
		FailingBean failingBean(@Qualifier("orders") EventLoopGroup orders) {
			return new FailingBean(orders);
		}

	}

	static class Trace {

		final List<String> events = new CopyOnWriteArrayList<>();

	}

	@Order(2)
	static class SecondDecorator implements TaskDecorator {

		private final Trace trace;

		SecondDecorator(Trace trace) {
			this.trace = trace;
		}

		@Override
		public Runnable decorate(Runnable runnable) {
			return () -> {
				this.trace.events.add("second");
				runnable.run();
			};
		}

	}

	@Order(1)
	static class FirstDecorator implements TaskDecorator {

		private final Trace trace;

		FirstDecorator(Trace trace) {
			this.trace = trace;
		}

		@Override
		public Runnable decorate(Runnable runnable) {
			return () -> {
				this.trace.events.add("first");
				runnable.run();
			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	@Import({ SecondDecorator.class, FirstDecorator.class })
	static class OrderedDecoratorsConfiguration {

		@Bean
		Trace trace() {
			return new Trace();
		}

	}

	static class DecoratorFailure extends RuntimeException {

		DecoratorFailure(String message) {
			super(message);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ThrowingDecoratorConfiguration {

		@Bean
		TaskDecorator throwingDecorator() {
			return (runnable) -> () -> {
				throw new DecoratorFailure("decorator blew up");
			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class SwallowingDecoratorConfiguration {

		@Bean
		TaskDecorator swallowingDecorator() {
			return (runnable) -> () -> {
			};
		}

	}

}
