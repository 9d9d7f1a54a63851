package dev.eventloop.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.eventloop.EventLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Adversarial test of {@link ManualTicker}: timers that timers schedule on other loops
 * run at their due time, in due order.
 */
class AttackManualTickerOrderTests {

	private final List<EventLoop> loops = new ArrayList<>();

	@AfterEach
	void shutdown() {
		this.loops.forEach((loop) -> loop.shutdownGracefully(Duration.ofSeconds(2))
			.orTimeout(10, TimeUnit.SECONDS)
			.exceptionally((ex) -> null)
			.join());
	}

	// a timer that a timer on loop A schedules on loop B runs at its due time, before A's
	// later timer
	@Test
	@Timeout(60)
	void timersThatTimersScheduleOnAnotherLoopRunInDueOrderAtTheirDueTime() throws Exception {
		List<String> failures = new ArrayList<>();
		for (int trial = 0; trial < 50; trial++) {
			ManualTicker ticker = new ManualTicker();
			EventLoop a = EventLoop.builder("attack-cross-a-" + trial).ticker(ticker).build();
			EventLoop b = EventLoop.builder("attack-cross-b-" + trial).ticker(ticker).build();
			this.loops.add(a);
			this.loops.add(b);
			List<String> order = Collections.synchronizedList(new ArrayList<>());
			a.schedule(() -> {
				order.add("A@" + ms(ticker));
				b.schedule(() -> order.add("B@" + ms(ticker)), Duration.ofMillis(5));
			}, Duration.ofMillis(10));
			a.schedule(() -> order.add("A@" + ms(ticker)), Duration.ofMillis(17));
			ticker.advance(Duration.ofMillis(30));
			if (!order.equals(List.of("A@10", "B@15", "A@17"))) {
				failures.add("trial " + trial + ": " + order);
			}
		}
		assertThat(failures).as("advance(30ms): expected [A@10, B@15, A@17]").isEmpty();
	}

	private static long ms(ManualTicker ticker) {
		return TimeUnit.NANOSECONDS.toMillis(ticker.now().toNanos());
	}

}
