package dev.eventloop.spring.autoconfigure;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.eventloop.AsyncContext;
import dev.eventloop.BlockingOnLoopException;
import dev.eventloop.EventLoop;
import dev.eventloop.spring.OnEventLoop;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

class ForeignLoopDetectionTests {

	private static final long TIMEOUT_SECONDS = 10;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EventLoopAutoConfiguration.class, OnEventLoopAutoConfiguration.class))
		.withUserConfiguration(ServiceConfiguration.class);

	@Test
	void reactorNonBlockingThreadShouldCountAsAnEventLoop() {
		this.contextRunner.run((context) -> {
			AsyncContext asyncContext = context.getBean(AsyncContext.class);
			assertThat(onThreadOf(Schedulers.parallel(), asyncContext::onEventLoop)).isTrue();
			assertThat(onThreadOf(Schedulers.boundedElastic(), asyncContext::onEventLoop)).isFalse();
			assertThat(asyncContext.onEventLoop()).isFalse();
		});
	}

	@Test
	void blockingCallFromReactorNonBlockingThreadShouldBeRefused() {
		this.contextRunner.run((context) -> {
			LoopService service = context.getBean(LoopService.class);
			assertThat(onThreadOf(Schedulers.parallel(), () -> attempt(service))).startsWith("refused: ")
				.contains("parallel-");
			assertThat(onThreadOf(Schedulers.boundedElastic(), () -> attempt(service))).isEqualTo("default");
		});
	}

	@Test
	void waitingOnALoopFutureFromAReactorNonBlockingThreadShouldBeRefused() {
		this.contextRunner.run((context) -> {
			EventLoop loop = context.getBean(EventLoop.class);
			java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
			dev.eventloop.LoopFuture<String> slow = loop.submit(() -> {
				release.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
				return "done";
			});
			try {
				assertThat(onThreadOf(Schedulers.parallel(), () -> waitFor(slow::join))).startsWith("refused: ")
					.contains("parallel-");
				assertThat(onThreadOf(Schedulers.parallel(), () -> waitFor(() -> slow.get(1, TimeUnit.SECONDS))))
					.startsWith("refused: ");
				// a non-blocking poll is not a wait
				assertThat(onThreadOf(Schedulers.parallel(), () -> waitFor(() -> slow.get(0, TimeUnit.SECONDS))))
					.isEqualTo("timed out");
			}
			finally {
				release.countDown();
			}
			assertThat(onThreadOf(Schedulers.boundedElastic(), () -> waitFor(slow::join))).isEqualTo("done");
		});
	}

	private static String waitFor(java.util.concurrent.Callable<String> wait) throws Exception {
		try {
			return wait.call();
		}
		catch (BlockingOnLoopException ex) {
			return "refused: " + ex.getMessage();
		}
		catch (java.util.concurrent.TimeoutException ex) {
			return "timed out";
		}
	}

	@Test
	void blockingCallFromReactorThreadShouldBeAllowedByPolicyAllow() {
		this.contextRunner.withPropertyValues("eventloop.blocking-policy=allow")
			.run((context) -> assertThat(
					onThreadOf(Schedulers.parallel(), () -> attempt(context.getBean(LoopService.class))))
				.isEqualTo("default"));
	}

	@Test
	void nettyEventLoopThreadShouldCountAsAnEventLoop() {
		this.contextRunner.run((context) -> {
			AsyncContext asyncContext = context.getBean(AsyncContext.class);
			LoopService service = context.getBean(LoopService.class);
			DefaultEventExecutor netty = new DefaultEventExecutor();
			try {
				assertThat(netty.submit(asyncContext::onEventLoop).get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
				assertThat(netty.submit(() -> attempt(service)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
					.startsWith("refused: ");
			}
			finally {
				netty.shutdownGracefully(0, 1, TimeUnit.SECONDS);
			}
		});
	}

	@Test
	void vertxEventLoopThreadShouldCountAsAnEventLoop() {
		this.contextRunner.run((context) -> {
			AsyncContext asyncContext = context.getBean(AsyncContext.class);
			LoopService service = context.getBean(LoopService.class);
			Vertx vertx = Vertx.vertx();
			try {
				CompletableFuture<String> result = new CompletableFuture<>();
				vertx.runOnContext((ignored) -> result.complete(asyncContext.onEventLoop() + " " + attempt(service)));
				assertThat(result.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).startsWith("true refused: ");
				CompletableFuture<Boolean> worker = new CompletableFuture<>();
				vertx.executeBlocking(asyncContext::onEventLoop).onComplete((ar) -> worker.complete(ar.result()));
				assertThat(worker.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isFalse();
			}
			finally {
				vertx.close().toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
			}
		});
	}

	@Test
	void detectorsShouldBackOffWhenTheirLibraryIsAbsent() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(EventLoopAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader(Schedulers.class, io.vertx.core.Context.class,
					io.netty.util.internal.ThreadExecutorMap.class))
			.run((context) -> assertThat(context).doesNotHaveBean("reactorForeignLoopDetector")
				.doesNotHaveBean("nettyForeignLoopDetector")
				.doesNotHaveBean("vertxForeignLoopDetector")
				.hasSingleBean(AsyncContext.class));
	}

	@Test
	void detectorsShouldBeRegisteredWhenTheirLibraryIsPresent() {
		this.contextRunner.run((context) -> assertThat(context).hasBean("reactorForeignLoopDetector")
			.hasBean("nettyForeignLoopDetector")
			.hasBean("vertxForeignLoopDetector"));
	}

	private static <T> T onThreadOf(reactor.core.scheduler.Scheduler scheduler, java.util.concurrent.Callable<T> task) {
		return Mono.fromCallable(task).subscribeOn(scheduler).block(java.time.Duration.ofSeconds(TIMEOUT_SECONDS));
	}

	private static String attempt(LoopService service) {
		try {
			return service.loopName();
		}
		catch (BlockingOnLoopException ex) {
			return "refused: " + ex.getMessage();
		}
	}

	static class LoopService {

		@OnEventLoop
		public String loopName() {
			return EventLoop.current().map(EventLoop::name).orElse("no loop");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ServiceConfiguration {

		@Bean
		LoopService loopService() {
			return new LoopService();
		}

	}

}
