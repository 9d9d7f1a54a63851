package dev.eventloop.sample.kafka;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaBroker;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample against its in-process broker: every order applied once, in sequence per
 * account, each account on the loop its key maps to.
 */
class KafkaSampleApplicationTests {

	private static EmbeddedKafkaBroker broker;

	@BeforeAll
	static void startBroker() {
		broker = KafkaSampleApplication.startBroker();
	}

	@AfterAll
	static void stopBroker() {
		broker.destroy();
		System.clearProperty("spring.kafka.bootstrap-servers");
	}

	@Test
	void everyOrderShouldBeAppliedOnceInSequenceOnItsAccountsLoop() throws Exception {
		try (ConfigurableApplicationContext context = SpringApplication.run(KafkaSampleApplication.class,
				"--server.port=0", "--sample.orders=4000", "--sample.accounts=200")) {
			OrderLedger ledger = context.getBean(OrderLedger.class);
			ledger.awaitAll(Duration.ofSeconds(60));
			assertThat(ledger.applied()).isEqualTo(4000);
			assertThat(ledger.outOfOrder()).isZero();
			Map<String, OrderLedger.Account> accounts = ledger.accounts();
			assertThat(accounts).hasSize(200);
			// account-i gets orders i, i + 200, ...: amounts (i + 200 k) % 7 + 1
			long expected = 0;
			for (int k = 0; k < 20; k++) {
				expected += (7 + 200 * k) % 7 + 1;
			}
			assertThat(accounts.get("account-7").balance()).isEqualTo(expected);
			dev.eventloop.EventLoopGroup group = context.getBean("accounts", dev.eventloop.EventLoopGroup.class);
			accounts.forEach((id, account) -> assertThat(account.loop()).isEqualTo(group.forKey(id).name()));
		}
	}

}
