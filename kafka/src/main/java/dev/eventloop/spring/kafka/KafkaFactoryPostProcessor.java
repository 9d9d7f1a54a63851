package dev.eventloop.spring.kafka;

import org.apache.kafka.clients.consumer.Consumer;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.kafka.config.AbstractKafkaListenerContainerFactory;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.listener.ContainerProperties;

/**
 * Fits the starter into Spring Kafka's factories: the containers of every listener
 * container factory get the {@link DrainingRebalanceListener}, around the rebalance
 * listener the factory already has, and the consumers of every consumer factory are
 * wrapped in a {@link CommittingConsumer} (which leaves consumers of groups without
 * records on the loops as they are).
 */
public final class KafkaFactoryPostProcessor implements BeanPostProcessor {

	private final ObjectProvider<KafkaRecordDispatcher> dispatcher;

	public KafkaFactoryPostProcessor(ObjectProvider<KafkaRecordDispatcher> dispatcher) {
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
		if (bean instanceof ConsumerFactory<?, ?> factory) {
			addCommittingConsumer(factory);
		}
		return bean;
	}

	private <K, V> void addCommittingConsumer(ConsumerFactory<K, V> factory) {
		factory.addPostProcessor((Consumer<K, V> consumer) -> {
			KafkaRecordDispatcher dispatcher = this.dispatcher.getIfAvailable();
			return (dispatcher != null) ? CommittingConsumer.wrap(consumer, dispatcher) : consumer;
		});
	}

}
