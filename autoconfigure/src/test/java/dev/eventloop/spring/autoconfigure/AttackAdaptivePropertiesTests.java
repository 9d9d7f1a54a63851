package dev.eventloop.spring.autoconfigure;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import dev.eventloop.LoopFuture;
import dev.eventloop.spring.OnEventLoop;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attacks on selecting {@code IdleStrategy.ADAPTIVE} through properties: relaxed
 * spelling, every member of a group, and {@code @OnEventLoop} methods of adaptive loops.
 */
class AttackAdaptivePropertiesTests {

	private static final long TIMEOUT_SECONDS = 10;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EventLoopAutoConfiguration.class, OnEventLoopAutoConfiguration.class))
		.withUserConfiguration(AdaptiveConfiguration.class);

	@Test
	void adaptiveSpelledAnyWayAppliesToEveryMemberOfAGroupAndItsOnEventLoopMethods() {
		this.contextRunner
			.withPropertyValues("eventloop.defaults.idle-strategy=Adaptive", "eventloop.loops.grp.threads=3",
					"eventloop.loops.grp.idle-strategy=ADAPTIVE", "eventloop.loops.single.threads=1",
					"eventloop.loops.calm.threads=2", "eventloop.loops.calm.idle-strategy=park")
			.run((context) -> {
				for (String name : new String[] { "grp", "single" }) {
					EventLoopGroup group = context.getBean(name, EventLoopGroup.class);
					for (EventLoop loop : group.loops()) {
						LoopFuture<String> future = loop.submit(loop::name);
						assertThat(future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo(loop.name());
						assertThat(future.getClass().getSimpleName()).as(loop.name()).isEqualTo("SpinningLoopFuture");
					}
				}
				for (EventLoop loop : context.getBean("calm", EventLoopGroup.class).loops()) {
					assertThat(loop.submit(() -> 1).getClass().getSimpleName()).as(loop.name())
						.isEqualTo("SubmittedTask");
				}
				AdaptiveService service = context.getBean(AdaptiveService.class);
				EventLoopGroup group = context.getBean("grp", EventLoopGroup.class);
				for (int i = 0; i < 2_000; i++) {
					String key = "key-" + i;
					CompletableFuture<String> future = service.where(key);
					assertThat(future).isInstanceOf(LoopFuture.class);
					assertThat(future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo(group.forKey(key).name());
				}
			});
	}

	public static class AdaptiveService {

		@OnEventLoop(value = "grp", key = "#key")
		public CompletableFuture<String> where(String key) {
			return CompletableFuture.completedFuture(EventLoop.current().map(EventLoop::name).orElse("none"));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class AdaptiveConfiguration {

		@Bean
		AdaptiveService adaptiveService() {
			return new AdaptiveService();
		}

	}

}
