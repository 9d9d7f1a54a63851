package dev.eventloop.test.examples;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import dev.eventloop.AsyncContext;
import dev.eventloop.EventLoopGroup;
import dev.eventloop.test.EventLoopAssertions;
import dev.eventloop.test.EventLoopTestSupport;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class QuiescenceExampleTests {

	@Test
	void everyDepositLandsOnItsAccountsLoop() throws Exception {
		try (EventLoopGroup ledger = EventLoopGroup.builder("ledger").threads(4).build();
				AsyncContext async = AsyncContext.create()) {
			Map<String, Long> balances = new HashMap<>(); // confined: account "a-7" lives
															// on one loop
			for (int i = 0; i < 1_000; i++) {
				async.execute(ledger, "a-7", () -> balances.merge("a-7", 10L, Long::sum));
			}

			EventLoopTestSupport.awaitQuiescence(ledger, Duration.ofSeconds(10));

			EventLoopAssertions.assertThat(ledger.forKey("a-7")).isIdle().hasFailed(0).hasNoBlockingViolations();
			assertThat(EventLoopTestSupport.runOn(ledger.forKey("a-7"), () -> balances.get("a-7"))).isEqualTo(10_000L);
		}
	}

}
