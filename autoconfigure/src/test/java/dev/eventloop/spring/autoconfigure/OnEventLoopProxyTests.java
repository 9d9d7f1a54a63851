package dev.eventloop.spring.autoconfigure;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.eventloop.BlockingOnLoopException;
import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import dev.eventloop.LoopStats;
import dev.eventloop.spring.Offload;
import dev.eventloop.spring.OnEventLoop;
import dev.eventloop.spring.aop.InvalidEventLoopMethodException;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.aop.support.AopUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIOException;

class OnEventLoopProxyTests {

	private static final long TIMEOUT_SECONDS = 10;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EventLoopAutoConfiguration.class, OnEventLoopAutoConfiguration.class))
		.withPropertyValues("eventloop.loops.orders.threads=2", "eventloop.loops.pricing.threads=1")
		.withUserConfiguration(ServiceConfiguration.class);

	@Test
	void futureMethodShouldBeDispatchedToItsLoop() {
		this.contextRunner.run((context) -> {
			OrderService service = context.getBean(OrderService.class);
			assertThat(AopUtils.isAopProxy(service)).isTrue();
			CompletableFuture<String> future = service.futureThread();
			assertThat(future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).startsWith("orders-");
		});
	}

	@Test
	void completionStageMethodShouldBeDispatchedToItsLoop() {
		this.contextRunner.run((context) -> {
			CompletionStage<String> stage = context.getBean(OrderService.class).stageThread();
			assertThat(stage.toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("pricing");
		});
	}

	@Test
	void methodOfAnnotatedTypeShouldRunOnTheTypesLoop() {
		this.contextRunner
			.run((context) -> assertThat(context.getBean(PricingService.class).threadName()).isEqualTo("pricing"));
	}

	@Test
	void blockingReturnFromThreadOffLoopShouldWaitForTheLoopsResult() {
		this.contextRunner
			.run((context) -> assertThat(context.getBean(OrderService.class).blockingThread()).isEqualTo("pricing"));
	}

	@Test
	void blockingReturnShouldRethrowTheMethodsCheckedException() {
		this.contextRunner.run((context) -> assertThatIOException()
			.isThrownBy(() -> context.getBean(OrderService.class).throwsChecked())
			.withMessage("disk on fire"));
	}

	@Test
	void voidMethodShouldRunOnItsLoopWithoutWaiting() {
		this.contextRunner.run((context) -> {
			OrderService service = context.getBean(OrderService.class);
			service.fireAndForget("first");
			assertThat(service.events().poll(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("first on pricing");
		});
	}

	@Test
	void voidMethodFailureShouldGoToTheLoopsUncaughtExceptionHandler() {
		this.contextRunner.run((context) -> {
			context.getBean(OrderService.class).fireAndFail();
			BlockingQueue<String> failures = context.getBean(ServiceConfiguration.class).uncaught;
			assertThat(failures.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("pricing: fire and fail");
			LoopStats stats = context.getBean("pricing", EventLoop.class).stats();
			assertThat(stats.tasks().failed()).isEqualTo(1);
			assertThat(stats.tasks().completed()).isZero();
		});
	}

	@Test
	void monoMethodShouldBeDispatchedOnEachSubscription() {
		this.contextRunner.run((context) -> {
			OrderService service = context.getBean(OrderService.class);
			Mono<String> mono = service.monoThread();
			assertThat(service.monoCalls()).hasValue(0);
			assertThat(mono.block(Duration.ofSeconds(TIMEOUT_SECONDS))).isEqualTo("pricing");
			assertThat(mono.block(Duration.ofSeconds(TIMEOUT_SECONDS))).isEqualTo("pricing");
			assertThat(service.monoCalls()).hasValue(2);
		});
	}

	@Test
	void sameKeyShouldAlwaysRunOnTheSameLoop() {
		this.contextRunner.run((context) -> {
			OrderService service = context.getBean(OrderService.class);
			EventLoopGroup orders = context.getBean("orders", EventLoopGroup.class);
			for (String customer : List.of("alice", "bob", "carol", "dave", "erin")) {
				Set<String> threads = IntStream.range(0, 10)
					.mapToObj((i) -> service.forCustomer(new Order(customer, i)).join())
					.collect(Collectors.toSet());
				assertThat(threads).containsExactly(orders.forKey(customer).name());
			}
		});
	}

	@Test
	void keyByPositionShouldChooseTheKeysLoop() {
		this.contextRunner.run((context) -> {
			OrderService service = context.getBean(OrderService.class);
			EventLoopGroup orders = context.getBean("orders", EventLoopGroup.class);
			for (int i = 0; i < 10; i++) {
				assertThat(service.byPosition("key-" + i).get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
					.isEqualTo(orders.forKey("key-" + i).name());
			}
		});
	}

	@Test
	void keyEvaluatingToNullShouldBeRefused() {
		this.contextRunner.run((context) -> assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> context.getBean(OrderService.class).forCustomer(new Order(null, 1)))
			.withMessageContaining("#order.customer")
			.withMessageContaining("evaluated to null"));
	}

	@Test
	void futureMethodCalledFromItsOwnLoopShouldRunInline() {
		this.contextRunner.run((context) -> {
			OrderService service = context.getBean(OrderService.class);
			EventLoop pricing = context.getBean("pricing", EventLoop.class);
			long inlineBefore = pricing.stats().tasks().inline();
			String result = pricing.submit(() -> {
				CompletionStage<String> stage = service.stageThread();
				CompletableFuture<String> future = stage.toCompletableFuture();
				return future.isDone() + " " + future.getNow("not done");
			}).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
			assertThat(result).isEqualTo("true pricing");
			assertThat(pricing.stats().tasks().inline()).isEqualTo(inlineBefore + 1);
		});
	}

	@Test
	void blockingReturnCalledFromAnotherLoopShouldBeRefused() {
		this.contextRunner.run((context) -> {
			OrderService service = context.getBean(OrderService.class);
			EventLoop orders0 = context.getBean("orders-0", EventLoop.class);
			assertThatExceptionOfType(ExecutionException.class)
				.isThrownBy(() -> orders0.submit(service::blockingThread).get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
				.havingCause()
				.isInstanceOf(BlockingOnLoopException.class)
				.withMessageContaining("orders-0");
		});
	}

	@Test
	void blockingReturnCalledFromItsOwnLoopShouldRunInline() {
		this.contextRunner.run((context) -> {
			OrderService service = context.getBean(OrderService.class);
			EventLoop pricing = context.getBean("pricing", EventLoop.class);
			assertThat(pricing.submit(service::blockingThread).get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
				.isEqualTo("pricing");
		});
	}

	@Test
	void offloadedFutureShouldCompleteOnTheCallersLoop() {
		this.contextRunner.run((context) -> {
			OrderService service = context.getBean(OrderService.class);
			EventLoop pricing = context.getBean("pricing", EventLoop.class);
			CompletableFuture<String> chained = pricing
				.submit(() -> service.offloaded().thenApply((ran) -> ran + ", completed on " + currentLoopName()))
				.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
			assertThat(chained.get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
				.isEqualTo("ran off the loops, completed on pricing");
		});
	}

	@Test
	void offloadWithBlockingReturnShouldRunOffTheLoopsForCallersOffLoop() {
		this.contextRunner.run((context) -> assertThat(context.getBean(OrderService.class).offloadedBlocking())
			.isEqualTo("ran off the loops"));
	}

	@Test
	void offloadWithBlockingReturnCalledFromALoopShouldBeRefused() {
		this.contextRunner.run((context) -> {
			OrderService service = context.getBean(OrderService.class);
			EventLoop pricing = context.getBean("pricing", EventLoop.class);
			assertThatExceptionOfType(ExecutionException.class)
				.isThrownBy(() -> pricing.submit(service::offloadedBlocking).get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
				.havingCause()
				.isInstanceOf(BlockingOnLoopException.class);
		});
	}

	@Test
	void offloadedVoidMethodShouldRunOffEveryLoop() {
		this.contextRunner.run((context) -> {
			OrderService service = context.getBean(OrderService.class);
			EventLoop pricing = context.getBean("pricing", EventLoop.class);
			pricing.execute(() -> service.offloadedFireAndForget("audit"));
			assertThat(service.events().poll(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("audit on no loop");
		});
	}

	@Test
	void bothAnnotationsOnOneMethodShouldFailStartup() {
		this.contextRunner.withUserConfiguration(ConflictingConfiguration.class)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidEventLoopMethodException.class)
				.hasMessageContaining(ConflictingService.class.getName() + ".both()")
				.hasMessageContaining("both @OnEventLoop and @Offload"));
	}

	@Test
	void futureSubtypeTheProxyCannotCreateShouldFailStartup() {
		this.contextRunner.withUserConfiguration(FutureSubtypeConfiguration.class)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidEventLoopMethodException.class)
				.hasMessageContaining(FutureSubtypeService.class.getName() + ".special()")
				.hasMessageContaining("declare CompletableFuture or CompletionStage instead"));
	}

	private static String currentLoopName() {
		return EventLoop.current().map(EventLoop::name).orElse("no loop");
	}

	record Order(String customer, int number) {

	}

	static class OrderService {

		final BlockingQueue<String> events = new LinkedBlockingQueue<>();

		final AtomicInteger monoCalls = new AtomicInteger();

		public BlockingQueue<String> events() {
			return this.events;
		}

		public AtomicInteger monoCalls() {
			return this.monoCalls;
		}

		@OnEventLoop("orders")
		public CompletableFuture<String> futureThread() {
			return CompletableFuture.completedFuture(currentLoopName());
		}

		@OnEventLoop("pricing")
		public CompletionStage<String> stageThread() {
			return CompletableFuture.completedFuture(currentLoopName());
		}

		@OnEventLoop("pricing")
		public String blockingThread() {
			return currentLoopName();
		}

		@OnEventLoop("pricing")
		public String throwsChecked() throws IOException {
			throw new IOException("disk on fire");
		}

		@OnEventLoop("pricing")
		public void fireAndForget(String event) {
			this.events.add(event + " on " + currentLoopName());
		}

		@OnEventLoop("pricing")
		public void fireAndFail() {
			throw new IllegalStateException("fire and fail");
		}

		@OnEventLoop("pricing")
		public Mono<String> monoThread() {
			this.monoCalls.incrementAndGet();
			return Mono.just(currentLoopName());
		}

		@OnEventLoop(value = "orders", key = "#order.customer")
		public CompletableFuture<String> forCustomer(Order order) {
			return CompletableFuture.completedFuture(currentLoopName());
		}

		@OnEventLoop(value = "orders", key = "#p0")
		public CompletableFuture<String> byPosition(String key) {
			return CompletableFuture.completedFuture(currentLoopName());
		}

		@Offload
		public CompletableFuture<String> offloaded() {
			return CompletableFuture
				.completedFuture(EventLoop.current().isEmpty() ? "ran off the loops" : "ran on a loop");
		}

		@Offload
		public void offloadedFireAndForget(String event) {
			this.events.add(event + " on " + currentLoopName());
		}

		@Offload
		public String offloadedBlocking() {
			return EventLoop.current().isEmpty() ? "ran off the loops" : "ran on a loop";
		}

	}

	@OnEventLoop("pricing")
	static class PricingService {

		public String threadName() {
			return currentLoopName();
		}

	}

	static class ConflictingService {

		@OnEventLoop("pricing")
		@Offload
		public CompletableFuture<String> both() {
			return CompletableFuture.completedFuture("never");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ConflictingConfiguration {

		@Bean
		ConflictingService conflictingService() {
			return new ConflictingService();
		}

	}

	static class SpecialFuture<T> extends CompletableFuture<T> {

	}

	static class FutureSubtypeService {

		@OnEventLoop("pricing")
		public SpecialFuture<String> special() {
			return new SpecialFuture<>();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class FutureSubtypeConfiguration {

		@Bean
		FutureSubtypeService futureSubtypeService() {
			return new FutureSubtypeService();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ServiceConfiguration {

		final BlockingQueue<String> uncaught = new LinkedBlockingQueue<>();

		@Bean
		OrderService orderService() {
			return new OrderService();
		}

		@Bean
		PricingService pricingService() {
			return new PricingService();
		}

		@Bean
		EventLoopGroupBuilderCustomizer uncaughtCollector() {
			return (name, builder) -> builder
				.uncaughtExceptionHandler((thread, ex) -> this.uncaught.add(thread.getName() + ": " + ex.getMessage()));
		}

	}

}
