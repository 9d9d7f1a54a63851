package dev.eventloop.spring.kafka;

import java.time.Duration;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.kafka.config.AbstractKafkaListenerContainerFactory;
import org.springframework.kafka.listener.ContainerProperties;

/**
 * Gives the containers of every listener container factory the
 * {@link DrainingRebalanceListener}, around the rebalance listener the factory already
 * has.
 */
final class RebalanceListenerPostProcessor implements BeanPostProcessor {

	private static final Duration DEFAULT_POLL_TIMEOUT_WHILE_PAUSED = new ContainerProperties("unused")
		.getPollTimeoutWhilePaused();

	/**
	 * A container waiting for the acknowledgements of records on the loops polls paused;
	 * it is woken by each acknowledgement, but a wake-up can be taken by a commit instead
	 * of the poll, which then waits its whole timeout before the next batch is fetched.
	 */
	static final Duration POLL_TIMEOUT_WHILE_PAUSED = Duration.ofMillis(5);

	private final ObjectProvider<KafkaRecordDispatcher> dispatcher;

	RebalanceListenerPostProcessor(ObjectProvider<KafkaRecordDispatcher> dispatcher) {
		this.dispatcher = dispatcher;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof AbstractKafkaListenerContainerFactory<?, ?, ?> factory) {
			ContainerProperties properties = factory.getContainerProperties();
			if (DEFAULT_POLL_TIMEOUT_WHILE_PAUSED.equals(properties.getPollTimeoutWhilePaused())) {
				properties.setPollTimeoutWhilePaused(POLL_TIMEOUT_WHILE_PAUSED);
			}
			if (!(properties.getConsumerRebalanceListener() instanceof DrainingRebalanceListener)) {
				properties.setConsumerRebalanceListener(new DrainingRebalanceListener(this.dispatcher::getIfAvailable,
						properties.getConsumerRebalanceListener()));
			}
		}
		return bean;
	}

}
