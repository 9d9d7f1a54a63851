package dev.eventloop.spring.actuate;

import java.security.Principal;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import dev.eventloop.EventLoopRegistry;
import dev.eventloop.LoopState;
import dev.eventloop.spring.actuate.EventLoopsEndpoint.LoopDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.Show;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link EventLoopsEndpoint}, over real loops.
 */
class EventLoopsEndpointTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final EventLoopGroup orders = EventLoopGroup.builder("orders")
		.threads(2)
		.queueCapacity(100)
		.stallThreshold(Duration.ofMillis(200))
		.build();

	private final EventLoopGroup pricing = EventLoopGroup.builder("pricing").build();

	private final EventLoopRegistry registry = new EventLoopRegistry(List.of(this.orders, this.pricing));

	private final CountDownLatch release = new CountDownLatch(1);

	@AfterEach
	void shutdown() {
		this.release.countDown();
		this.orders.shutdownGracefully(Duration.ofSeconds(5)).orTimeout(30, TimeUnit.SECONDS).join();
		this.pricing.shutdownGracefully(Duration.ofSeconds(5)).orTimeout(30, TimeUnit.SECONDS).join();
	}

	@Test
	void eventLoopsReportsEveryLoopWithItsGroupInRegistrationOrder() {
		EventLoopsEndpoint endpoint = endpoint(Show.NEVER);
		List<LoopDescriptor> loops = endpoint.eventLoops(SecurityContext.NONE).loops();
		assertThat(loops).extracting(LoopDescriptor::name).containsExactly("orders-0", "orders-1", "pricing");
		assertThat(loops).extracting(LoopDescriptor::group).containsExactly("orders", "orders", "pricing");
		assertThat(loops).extracting(LoopDescriptor::state).containsOnly(LoopState.RUNNING);
		assertThat(loops).extracting((loop) -> loop.queue().capacity()).containsExactly(100, 100, 0);
	}

	@Test
	void eventLoopReportsTheNamedLoopWithItsTaskCounts() throws Exception {
		EventLoop loop = this.registry.loop("pricing").orElseThrow();
		loop.submit(() -> 1).get(30, TimeUnit.SECONDS);
		loop.submit(() -> 2).get(30, TimeUnit.SECONDS);
		LoopDescriptor descriptor = endpoint(Show.NEVER).eventLoop(SecurityContext.NONE, "pricing");
		assertThat(descriptor).isNotNull();
		assertThat(descriptor.name()).isEqualTo("pricing");
		assertThat(descriptor.tasks()).isEqualTo(new EventLoopsEndpoint.TaskCounts(2, 0, 2, 0, 0, 0, 0));
		assertThat(descriptor.queue()).isEqualTo(new EventLoopsEndpoint.QueueDescriptor(0, 0));
		assertThat(descriptor.stalled()).isFalse();
		assertThat(descriptor.stalledSince()).isNull();
		assertThat(descriptor.stackTrace()).isNull();
	}

	@Test
	void eventLoopReportsNothingForAnUnknownName() {
		assertThat(endpoint(Show.ALWAYS).eventLoop(SecurityContext.NONE, "shipping")).isNull();
	}

	@Test
	void stackTraceOfAStalledLoopIsHiddenWhenNotConfiguredToShow() {
		stallOrders0();
		LoopDescriptor descriptor = endpoint(Show.NEVER).eventLoop(SecurityContext.NONE, "orders-0");
		assertThat(descriptor).isNotNull();
		assertThat(descriptor.stalled()).isTrue();
		assertThat(descriptor.stalledSince()).isNotNull();
		assertThat(descriptor.stalledForMillis()).isPositive();
		assertThat(descriptor.stackTrace()).isNull();
	}

	@Test
	void stackTraceOfAStalledLoopIsShownWhenConfiguredToShowAlways() {
		stallOrders0();
		LoopDescriptor descriptor = endpoint(Show.ALWAYS).eventLoop(SecurityContext.NONE, "orders-0");
		assertThat(descriptor).isNotNull();
		assertThat(descriptor.stackTrace()).isNotEmpty()
			.anySatisfy((frame) -> assertThat(frame).contains("EventLoopsEndpointTests.holdTheLoop"));
		assertThat(endpoint(Show.ALWAYS).eventLoops(SecurityContext.NONE).loops())
			.filteredOn((loop) -> !loop.name().equals("orders-0"))
			.allSatisfy((loop) -> assertThat(loop.stackTrace()).isNull());
	}

	@Test
	void stackTraceIsShownWhenAuthorizedOnlyToACallerInOneOfTheRoles() {
		stallOrders0();
		EventLoopsEndpoint endpoint = new EventLoopsEndpoint(this.registry, Show.WHEN_AUTHORIZED, Set.of("ops"));
		assertThat(endpoint.eventLoop(user("ops"), "orders-0").stackTrace()).isNotEmpty();
		assertThat(endpoint.eventLoop(user("sales"), "orders-0").stackTrace()).isNull();
		assertThat(endpoint.eventLoop(SecurityContext.NONE, "orders-0").stackTrace()).isNull();
	}

	@Test
	void aLoopThatIsNotStalledHasNoStackTraceEvenWhenConfiguredToShowAlways() {
		LoopDescriptor descriptor = endpoint(Show.ALWAYS).eventLoop(SecurityContext.NONE, "orders-1");
		assertThat(descriptor).isNotNull();
		assertThat(descriptor.stalled()).isFalse();
		assertThat(descriptor.stackTrace()).isNull();
	}

	private EventLoopsEndpoint endpoint(Show showStackTraces) {
		return new EventLoopsEndpoint(this.registry, showStackTraces, Set.of());
	}

	private void stallOrders0() {
		EventLoop loop = this.registry.loop("orders-0").orElseThrow();
		loop.execute(this::holdTheLoop);
		await().atMost(WAIT).until(() -> loop.stats().stall().stalled());
	}

	private void holdTheLoop() {
		try {
			this.release.await(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static SecurityContext user(String role) {
		Principal principal = () -> "user";
		return new SecurityContext() {

			@Override
			public Principal getPrincipal() {
				return principal;
			}

			@Override
			public boolean isUserInRole(String candidate) {
				return role.equals(candidate);
			}

		};
	}

}
