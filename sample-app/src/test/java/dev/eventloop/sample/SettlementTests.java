package dev.eventloop.sample;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import dev.eventloop.test.EventLoopTestSupport;
import dev.eventloop.test.ManualTicker;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The periodic settlement under manual time: each period settles once, over every ledger
 * loop, on the settlement loop, whatever the machine's load.
 */
@SpringBootTest(webEnvironment = WebEnvironment.NONE, properties = "sample.settlement.period=1m")
class SettlementTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	@Autowired
	ManualTicker ticker;

	@Autowired
	Ledger ledger;

	@Autowired
	Settlement settlement;

	@Autowired
	@Qualifier("ledger")
	EventLoopGroup ledgerLoops;

	@Autowired
	@Qualifier("settlement")
	EventLoop settlementLoop;

	@Test
	void eachPeriodSettlesOnceOverEveryLedgerLoop() throws Exception {
		this.ledger.deposit("settled-1", new BigDecimal("7")).get(30, TimeUnit.SECONDS);
		this.ledger.deposit("settled-2", new BigDecimal("5.50")).get(30, TimeUnit.SECONDS);
		long before = this.settlement.latest().get(30, TimeUnit.SECONDS).batch();
		for (int period = 1; period <= 3; period++) {
			this.ticker.advance(Duration.ofMinutes(1));
			EventLoopTestSupport.awaitQuiescence(this.ledgerLoops, TIMEOUT);
			EventLoopTestSupport.awaitQuiescence(this.settlementLoop, TIMEOUT);
		}
		Settlement.Report report = this.settlement.latest().get(30, TimeUnit.SECONDS);
		assertThat(report.batch()).isEqualTo(before + 3);
		assertThat(report.settledOn()).isEqualTo("settlement");
		assertThat(report.total()).isEqualByComparingTo("12.50");
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class ManualTime {

		@Bean
		ManualTicker ticker() {
			return new ManualTicker();
		}

	}

}
