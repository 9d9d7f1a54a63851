package dev.eventloop.spring.aop;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import dev.eventloop.BlockingOnLoopException;
import dev.eventloop.EventLoop;
import dev.eventloop.LoopFuture;
import dev.eventloop.spring.OnEventLoop;
import dev.eventloop.spring.autoconfigure.EventLoopAutoConfiguration;
import dev.eventloop.spring.autoconfigure.OnEventLoopAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The proxy's inline path: an {@code @OnEventLoop} method returning a future, called from
 * its own loop, runs at once and hands back its result without composing stages; what
 * that path must still do (count, bound the depth, keep call order, relay every kind of
 * future) is tried here.
 */
class OnEventLoopInlineTests {

	private static final long TIMEOUT_SECONDS = 10;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EventLoopAutoConfiguration.class, OnEventLoopAutoConfiguration.class))
		.withPropertyValues("eventloop.loops.inline.threads=1", "eventloop.max-inline-depth=2")
		.withUserConfiguration(InlineConfiguration.class);

	@Test
	void completedFutureOfAnInlineCallShouldBeALoopFutureWithTheMethodsValue() {
		this.contextRunner.run((context) -> {
			InlineService service = context.getBean(InlineService.class);
			EventLoop loop = context.getBean("inline", EventLoop.class);
			long inlineBefore = loop.stats().tasks().inline();
			CompletableFuture<String> future = onLoop(loop, () -> service.completed("value"));
			assertThat(future).isInstanceOf(LoopFuture.class).isCompletedWithValue("value");
			assertThat(loop.stats().tasks().inline()).isEqualTo(inlineBefore + 1);
		});
	}

	@Test
	void stageDerivedFromAnInlineCallShouldStillRefuseToBlockItsLoop() {
		this.contextRunner.run((context) -> {
			InlineService service = context.getBean(InlineService.class);
			EventLoop loop = context.getBean("inline", EventLoop.class);
			CompletableFuture<Object> never = new CompletableFuture<>();
			Throwable refused = loop.submit(() -> {
				CompletableFuture<Object> derived = service.completed("value").thenCompose((value) -> never);
				try {
					derived.join();
					return null;
				}
				catch (BlockingOnLoopException ex) {
					return ex;
				}
			}).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
			assertThat(refused).isInstanceOf(BlockingOnLoopException.class);
		});
	}

	@Test
	void methodThatThrowsInlineShouldFailTheFutureAndBeCountedAsFailed() {
		this.contextRunner.run((context) -> {
			InlineService service = context.getBean(InlineService.class);
			EventLoop loop = context.getBean("inline", EventLoop.class);
			long failedBefore = loop.stats().tasks().failed();
			CompletableFuture<String> future = onLoop(loop, service::throwing);
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(future::get)
				.havingCause()
				.isInstanceOf(IllegalStateException.class)
				.withMessage("thrown inline");
			assertThat(loop.stats().tasks().failed()).isEqualTo(failedBefore + 1);
		});
	}

	@Test
	void failedFutureReturnedInlineShouldFailTheProxysFutureWithItsCause() {
		this.contextRunner.run((context) -> {
			InlineService service = context.getBean(InlineService.class);
			EventLoop loop = context.getBean("inline", EventLoop.class);
			CompletableFuture<String> future = onLoop(loop, service::failed);
			assertThat(future).isInstanceOf(LoopFuture.class);
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(future::get)
				.havingCause()
				.isInstanceOf(IllegalArgumentException.class)
				.withMessage("returned failed");
		});
	}

	@Test
	void incompleteFutureReturnedInlineShouldBeRelayedWhenItCompletes() {
		this.contextRunner.run((context) -> {
			InlineService service = context.getBean(InlineService.class);
			EventLoop loop = context.getBean("inline", EventLoop.class);
			CompletableFuture<String> pending = new CompletableFuture<>();
			CompletableFuture<String> future = onLoop(loop, () -> service.returning(pending));
			assertThat(future).isNotSameAs(pending).isInstanceOf(LoopFuture.class).isNotDone();
			pending.complete("later");
			assertThat(future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("later");
		});
	}

	@Test
	void completedSubclassOfCompletableFutureReturnedInlineShouldBeRelayed() {
		this.contextRunner.run((context) -> {
			InlineService service = context.getBean(InlineService.class);
			EventLoop loop = context.getBean("inline", EventLoop.class);
			CompletableFuture<String> special = new SpecialFuture<>();
			special.complete("special");
			CompletableFuture<String> future = onLoop(loop, () -> service.returning(special));
			assertThat(future).isInstanceOf(LoopFuture.class);
			assertThat(future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("special");
		});
	}

	@Test
	void loopFutureReturnedInlineShouldBeHandedBackAsItIs() {
		this.contextRunner.run((context) -> {
			InlineService service = context.getBean(InlineService.class);
			EventLoop loop = context.getBean("inline", EventLoop.class);
			LoopFuture<String> own = LoopFuture.completed("own");
			assertThat(onLoop(loop, () -> service.returning(own))).isSameAs(own);
		});
	}

	@Test
	void nullFutureReturnedInlineShouldCompleteWithNull() {
		this.contextRunner.run((context) -> {
			InlineService service = context.getBean(InlineService.class);
			EventLoop loop = context.getBean("inline", EventLoop.class);
			CompletableFuture<String> future = onLoop(loop, () -> service.returning(null));
			assertThat(future).isCompletedWithValue(null);
		});
	}

	@Test
	void stageThatIsNotACompletableFutureShouldBeRelayed() {
		this.contextRunner.run((context) -> {
			InlineService service = context.getBean(InlineService.class);
			EventLoop loop = context.getBean("inline", EventLoop.class);
			CompletionStage<String> minimal = CompletableFuture.completedFuture("minimal").minimalCompletionStage();
			CompletableFuture<String> future = onLoop(loop, () -> service.stage(minimal).toCompletableFuture());
			assertThat(future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("minimal");
		});
	}

	@Test
	void methodDeclaredToReturnALoopFutureShouldGetALoopFutureInlineAndAcrossThreads() {
		this.contextRunner.run((context) -> {
			InlineService service = context.getBean(InlineService.class);
			EventLoop loop = context.getBean("inline", EventLoop.class);
			LoopFuture<String> inline = loop.submit(() -> service.loopFuture("inline"))
				.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
			assertThat(inline).isCompletedWithValue("inline");
			LoopFuture<String> across = service.loopFuture("across");
			assertThat(across.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("across");
		});
	}

	@Test
	void keyedMethodThatThrowsInlineShouldBeCountedAsFailed() {
		this.contextRunner.run((context) -> {
			InlineService service = context.getBean(InlineService.class);
			EventLoop loop = context.getBean("inline", EventLoop.class);
			long failedBefore = loop.stats().tasks().failed();
			long inlineBefore = loop.stats().tasks().inline();
			CompletableFuture<String> future = onLoop(loop, () -> service.throwingKeyed("k"));
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(future::get)
				.havingCause()
				.isInstanceOf(IllegalStateException.class)
				.withMessage("thrown inline for k");
			assertThat(loop.stats().tasks().failed()).isEqualTo(failedBefore + 1);
			assertThat(loop.stats().tasks().inline()).isEqualTo(inlineBefore + 1);
		});
	}

	@Test
	void dispatchPastTheDepthBoundShouldBeQueuedAndLaterCallsQueuedBehindIt() {
		this.contextRunner.run((context) -> {
			InlineService service = context.getBean(InlineService.class);
			EventLoop loop = context.getBean("inline", EventLoop.class);
			// depth 2: "a" and "a>" run inline, "a>>" is queued, and "b", called after
			// it, must wait behind it; "a>>>" is called when "a>>" runs, after "b"
			CompletableFuture<String> last = loop.submit(() -> {
				service.nest(service, "a", 3);
				return service.nest(service, "b", 0);
			}).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
			assertThat(last.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("b");
			// "a>>>" was queued behind "b", so it may still be running when "b" is done
			await().atMost(Duration.ofSeconds(TIMEOUT_SECONDS))
				.untilAsserted(() -> assertThat(service.order()).containsExactly("a", "a>", "a>>", "b", "a>>>"));
		});
	}

	@Test
	void keyedDispatchPastTheDepthBoundShouldKeepCallOrder() {
		this.contextRunner.run((context) -> {
			InlineService service = context.getBean(InlineService.class);
			EventLoop loop = context.getBean("inline", EventLoop.class);
			CompletableFuture<String> last = loop.submit(() -> {
				service.nestKeyed("k", service, "a", 3);
				return service.nestKeyed("k", service, "b", 0);
			}).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
			assertThat(last.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("b");
			// "a>>>" was queued behind "b", so it may still be running when "b" is done
			await().atMost(Duration.ofSeconds(TIMEOUT_SECONDS))
				.untilAsserted(() -> assertThat(service.order()).containsExactly("a", "a>", "a>>", "b", "a>>>"));
		});
	}

	@Test
	void oneMethodCalledOnTargetsOfTwoClassesShouldFollowEachClasssPlan() {
		this.contextRunner.withPropertyValues("eventloop.loops.other.threads=1").run((context) -> {
			EventLoopMethodInterceptor interceptor = new EventLoopMethodInterceptor(context.getBeanFactory());
			// JDK proxies of one interface share a proxy class, so every call hands the
			// interceptor the same Method object, whichever target it is for
			Named first = proxy(new FirstNamed(), interceptor);
			Named second = proxy(new SecondNamed(), interceptor);
			assertThat(first.getClass()).isSameAs(second.getClass());
			for (int i = 0; i < 3; i++) {
				assertThat(first.loopName().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("inline");
				assertThat(second.loopName().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("other");
			}
		});
	}

	private static Named proxy(Named target, EventLoopMethodInterceptor interceptor) {
		ProxyFactory factory = new ProxyFactory(target);
		factory.setInterfaces(Named.class);
		factory.addAdvice(interceptor);
		return (Named) factory.getProxy();
	}

	private static <T> CompletableFuture<T> onLoop(EventLoop loop,
			java.util.concurrent.Callable<CompletableFuture<T>> call) throws Exception {
		return loop.submit(call).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
	}

	static class InlineService {

		final List<String> order = new CopyOnWriteArrayList<>();

		public List<String> order() {
			return this.order;
		}

		@OnEventLoop("inline")
		public CompletableFuture<String> completed(String value) {
			return CompletableFuture.completedFuture(value);
		}

		@OnEventLoop("inline")
		public CompletableFuture<String> throwing() {
			throw new IllegalStateException("thrown inline");
		}

		@OnEventLoop(value = "inline", key = "#key")
		public CompletableFuture<String> throwingKeyed(String key) {
			throw new IllegalStateException("thrown inline for " + key);
		}

		@OnEventLoop("inline")
		public LoopFuture<String> loopFuture(String value) {
			return LoopFuture.completed(value);
		}

		@OnEventLoop("inline")
		public CompletableFuture<String> failed() {
			return CompletableFuture.failedFuture(new IllegalArgumentException("returned failed"));
		}

		@OnEventLoop("inline")
		public CompletableFuture<String> returning(CompletableFuture<String> future) {
			return future;
		}

		@OnEventLoop("inline")
		public CompletionStage<String> stage(CompletionStage<String> stage) {
			return stage;
		}

		@OnEventLoop("inline")
		public CompletableFuture<String> nest(InlineService self, String name, int depth) {
			this.order.add(name);
			if (depth > 0) {
				self.nest(self, name + ">", depth - 1);
			}
			return CompletableFuture.completedFuture(name);
		}

		@OnEventLoop(value = "inline", key = "#key")
		public CompletableFuture<String> nestKeyed(String key, InlineService self, String name, int depth) {
			this.order.add(name);
			if (depth > 0) {
				self.nestKeyed(key, self, name + ">", depth - 1);
			}
			return CompletableFuture.completedFuture(name);
		}

	}

	static class SpecialFuture<T> extends CompletableFuture<T> {

	}

	interface Named {

		CompletableFuture<String> loopName();

	}

	@OnEventLoop("inline")
	static class FirstNamed implements Named {

		@Override
		public CompletableFuture<String> loopName() {
			return CompletableFuture.completedFuture(EventLoop.current().map(EventLoop::name).orElse("none"));
		}

	}

	@OnEventLoop("other")
	static class SecondNamed implements Named {

		@Override
		public CompletableFuture<String> loopName() {
			return CompletableFuture.completedFuture(EventLoop.current().map(EventLoop::name).orElse("none"));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class InlineConfiguration {

		@Bean
		InlineService inlineService() {
			return new InlineService();
		}

	}

}
