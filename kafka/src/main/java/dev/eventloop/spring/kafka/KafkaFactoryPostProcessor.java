package dev.eventloop.spring.kafka;

import org.apache.kafka.clients.consumer.Consumer;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationEventPublisherAware;
import org.springframework.kafka.config.AbstractKafkaListenerContainerFactory;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.listener.ContainerProperties;

/**
 * Fits the starter into Spring Kafka's factories: the containers of every listener
 * container factory get the {@link DrainingRebalanceListener}, around the rebalance
 * listener the factory already has, and tell the dispatcher of their consumer threads
 * starting and stopping as they publish those events (so on the consumer thread, whatever
 * the application's event multicaster), and the consumers of every consumer factory are
 * wrapped in a {@link CommittingConsumer} (which leaves consumers of groups without
 * records on the loops as they are).
 */
public final class KafkaFactoryPostProcessor implements BeanPostProcessor, ApplicationEventPublisherAware {

	private final ObjectProvider<KafkaRecordDispatcher> dispatcher;

	private @Nullable ApplicationEventPublisher publisher;

	public KafkaFactoryPostProcessor(ObjectProvider<KafkaRecordDispatcher> dispatcher) {
		this.dispatcher = dispatcher;
	}

	@Override
	public void setApplicationEventPublisher(ApplicationEventPublisher publisher) {
		this.publisher = publisher;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof AbstractKafkaListenerContainerFactory<?, ?, ?> factory) {
			ApplicationEventPublisher publisher = this.publisher;
			if (publisher != null) {
				// the dispatcher learns of consumer threads from the containers' own
				// events,
				// on the consumer thread, however the application multicasts events
				factory.setApplicationEventPublisher((event) -> {
					KafkaRecordDispatcher dispatcher = this.dispatcher.getIfAvailable();
					if (dispatcher != null) {
						dispatcher.consumerEvent(event);
					}
					publisher.publishEvent(event);
				});
			}
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
