package dev.eventloop.sample.kafka;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Sends the sample's orders when the application has started: order {@code i} is for
 * account {@code account-(i % accounts)}, with sequence number {@code i / accounts} and
 * amount {@code i % 7 + 1}.
 */
@Component
class OrderGenerator implements ApplicationRunner {

	private static final Log logger = LogFactory.getLog(OrderGenerator.class);

	private final KafkaTemplate<String, String> template;

	private final int orders;

	private final int accounts;

	OrderGenerator(KafkaTemplate<String, String> template, @Value("${sample.orders}") int orders,
			@Value("${sample.accounts}") int accounts) {
		this.template = template;
		this.orders = orders;
		this.accounts = accounts;
	}

	@Override
	public void run(ApplicationArguments args) {
		for (int i = 0; i < this.orders; i++) {
			this.template.send(KafkaSampleApplication.TOPIC, "account-" + (i % this.accounts),
					(i / this.accounts) + ":" + (i % 7 + 1));
		}
		this.template.flush();
		logger.info("Sent " + this.orders + " orders for " + this.accounts + " accounts to topic '"
				+ KafkaSampleApplication.TOPIC + "'");
	}

}
