package dev.eventloop.test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.eventloop.EventLoop;
import dev.eventloop.LoopFuture;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@link ManualTicker} bean drives the time of every configured loop of a
 * {@code @SpringBootTest}.
 */
@SpringBootTest(properties = { "eventloop.loops.pricing.threads=1", "eventloop.loops.orders.threads=2" })
class ManualTickerSpringBootTests {

	@Autowired
	ManualTicker ticker;

	@Autowired
	@Qualifier("pricing")
	EventLoop pricing;

	@Autowired
	@Qualifier("orders-1")
	EventLoop ordersOne;

	@Test
	void everyConfiguredLoopReadsTheTickerBean() throws Exception {
		assertThat(this.pricing.ticker()).isSameAs(this.ticker);
		assertThat(this.ordersOne.ticker()).isSameAs(this.ticker);
		AtomicInteger refreshes = new AtomicInteger();
		AtomicInteger expiries = new AtomicInteger();
		LoopFuture<Void> refreshing = this.pricing.scheduleAtFixedRate(refreshes::incrementAndGet, Duration.ZERO,
				Duration.ofMinutes(1));
		this.ordersOne.schedule(expiries::incrementAndGet, Duration.ofMinutes(30));
		this.ticker.advance(Duration.ofHours(1));
		// runs at 0, 1, ..., 60 minutes
		assertThat(refreshes).hasValue(61);
		assertThat(expiries).hasValue(1);
		refreshing.cancel(false);
		assertThat(this.pricing.submit(() -> "still running").get(30, TimeUnit.SECONDS)).isEqualTo("still running");
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Application {

	}

	@TestConfiguration(proxyBeanMethods = false)
	static class ManualTime {

		@Bean
		ManualTicker ticker() {
			return new ManualTicker();
		}

	}

}
