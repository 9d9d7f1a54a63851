package dev.eventloop.benchmarks;

import dev.eventloop.spring.autoconfigure.EventLoopAutoConfiguration;
import dev.eventloop.spring.autoconfigure.OnEventLoopAutoConfiguration;

import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * The minimal Spring Boot application of the proxy benchmarks: one event loop configured
 * by properties, one one-thread {@link ThreadPoolTaskExecutor} for {@code @Async}, and
 * one bean proxied by each mechanism.
 */
@Configuration(proxyBeanMethods = false)
@ImportAutoConfiguration({ EventLoopAutoConfiguration.class, OnEventLoopAutoConfiguration.class })
@EnableAsync(proxyTargetClass = true)
class ProxyBenchmarkApplication {

	static final String LOOP = "bench";

	static final String ASYNC_EXECUTOR = "benchAsyncExecutor";

	static ConfigurableApplicationContext start() {
		return new SpringApplicationBuilder(ProxyBenchmarkApplication.class).web(WebApplicationType.NONE)
			.bannerMode(Banner.Mode.OFF)
			.logStartupInfo(false)
			.properties("eventloop.loops." + LOOP + ".threads=1")
			.run();
	}

	@Bean(ASYNC_EXECUTOR)
	ThreadPoolTaskExecutor benchAsyncExecutor() {
		ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
		executor.setCorePoolSize(1);
		executor.setMaxPoolSize(1);
		executor.setThreadNamePrefix("bench-async-");
		executor.setWaitForTasksToCompleteOnShutdown(true);
		executor.setAwaitTerminationSeconds(10);
		return executor;
	}

	@Bean
	OnEventLoopCalls onEventLoopCalls() {
		return new OnEventLoopCalls();
	}

	@Bean
	AsyncCalls asyncCalls() {
		return new AsyncCalls();
	}

}
