package dev.eventloop.spring.kafka;

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

	private final ObjectProvider<KafkaRecordDispatcher> dispatcher;

	RebalanceListenerPostProcessor(ObjectProvider<KafkaRecordDispatcher> dispatcher) {
		this.dispatcher = dispatcher;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof AbstractKafkaListenerContainerFactory<?, ?, ?> factory) {
			ContainerProperties properties = factory.getContainerProperties();
			if (!(properties.getConsumerRebalanceListener() instanceof DrainingRebalanceListener)) {
				properties.setConsumerRebalanceListener(new DrainingRebalanceListener(this.dispatcher::getIfAvailable,
						properties.getConsumerRebalanceListener()));
			}
		}
		return bean;
	}

}
