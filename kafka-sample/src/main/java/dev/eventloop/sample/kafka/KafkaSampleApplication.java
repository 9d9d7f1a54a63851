package dev.eventloop.sample.kafka;

import java.time.Duration;
import java.util.Arrays;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * Starts a one-node Kafka broker in this process (unless
 * {@code --spring.kafka.bootstrap-servers} names one), then the application: it sends
 * {@code sample.orders} orders for {@code sample.accounts} accounts and consumes them on
 * the {@code accounts} loops, one account per loop. With {@code --benchmark} it runs the
 * Kafka throughput benchmark instead, with {@code --volume-benchmark} the volume
 * benchmark of asynchronous work per key.
 */
@SpringBootApplication
public class KafkaSampleApplication {

	static final String TOPIC = "orders";

	static final int PARTITIONS = 4;

	public static void main(String[] args) throws Exception {
		if (Arrays.asList(args).contains("--volume-benchmark")) {
			KafkaVolumeBenchmark.main(args);
			return;
		}
		if (Arrays.asList(args).contains("--benchmark")) {
			KafkaThroughputBenchmark.main(args);
			return;
		}
		SpringApplication application = new SpringApplication(KafkaSampleApplication.class);
		if (Arrays.stream(args).noneMatch((arg) -> arg.startsWith("--spring.kafka.bootstrap-servers="))) {
			EmbeddedKafkaBroker broker = startBroker();
			// runs after the application context has closed, so after the listener
			// containers have committed
			SpringApplication.getShutdownHandlers().add(broker::destroy);
		}
		ConfigurableApplicationContext context = application.run(args);
		OrderLedger ledger = context.getBean(OrderLedger.class);
		if (context.getEnvironment().getProperty("sample.exit-when-done", Boolean.class, false)) {
			ledger.awaitAll(Duration.ofMinutes(2));
			System.exit(SpringApplication.exit(context));
		}
	}

	static EmbeddedKafkaBroker startBroker() {
		EmbeddedKafkaBroker broker = new EmbeddedKafkaKraftBroker(1, PARTITIONS, TOPIC);
		broker.afterPropertiesSet();
		System.setProperty("spring.kafka.bootstrap-servers", broker.getBrokersAsString());
		return broker;
	}

}
