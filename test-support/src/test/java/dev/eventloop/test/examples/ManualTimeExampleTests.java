package dev.eventloop.test.examples;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import dev.eventloop.EventLoop;
import dev.eventloop.test.ManualTicker;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ManualTimeExampleTests {

	@Test
	void aDailyReportRunsOncePerDay() {
		ManualTicker ticker = new ManualTicker();
		try (EventLoop loop = EventLoop.builder("reports").ticker(ticker).build()) {
			AtomicInteger reports = new AtomicInteger();
			loop.scheduleAtFixedRate(reports::incrementAndGet, Duration.ofDays(1), Duration.ofDays(1));

			ticker.advance(Duration.ofDays(7)); // runs the due timers, in order, before
												// it returns

			assertThat(reports).hasValue(7);
		}
	}

}
