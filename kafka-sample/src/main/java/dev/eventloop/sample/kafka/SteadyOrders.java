package dev.eventloop.sample.kafka;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * With {@code sample.steady.rate} above zero: once the application is ready (after
 * {@link OrderGenerator} has sent the first {@code sample.orders} orders), keeps sending
 * that many orders per second, in ten bursts a second, continuing the numbering of the
 * first orders so that every account's sequence stays gapless. Traffic for the Kafka
 * meters while the application runs.
 */
@Component
@ConditionalOnExpression("${sample.steady.rate:0} > 0")
class SteadyOrders implements DisposableBean {

	private static final Log logger = LogFactory.getLog(SteadyOrders.class);

	private static final int BURSTS_PER_SECOND = 10;

	private final KafkaTemplate<String, String> template;

	private final int accounts;

	private final int perBurst;

	private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "steady-orders");
		thread.setDaemon(true);
		return thread;
	});

	// the scheduler thread only
	private long next;

	SteadyOrders(KafkaTemplate<String, String> template, @Value("${sample.orders}") int orders,
			@Value("${sample.accounts}") int accounts, @Value("${sample.steady.rate}") int rate) {
		this.template = template;
		this.accounts = accounts;
		this.perBurst = Math.max(1, rate / BURSTS_PER_SECOND);
		this.next = orders;
	}

	@EventListener(ApplicationReadyEvent.class)
	void start() {
		logger.info("Sending " + this.perBurst * BURSTS_PER_SECOND + " orders per second to topic '"
				+ KafkaSampleApplication.TOPIC + "' until the application stops");
		this.scheduler.scheduleAtFixedRate(this::burst, 0, 1000 / BURSTS_PER_SECOND, TimeUnit.MILLISECONDS);
	}

	private void burst() {
		try {
			for (int n = 0; n < this.perBurst; n++, this.next++) {
				this.template.send(KafkaSampleApplication.TOPIC, "account-" + (this.next % this.accounts),
						(this.next / this.accounts) + ":" + (this.next % 7 + 1));
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Could not send orders: " + ex);
		}
	}

	@Override
	public void destroy() throws InterruptedException {
		this.scheduler.shutdownNow();
		this.scheduler.awaitTermination(5, TimeUnit.SECONDS);
	}

}
