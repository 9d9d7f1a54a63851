package dev.eventloop.spring.kafka;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.event.SmartApplicationListener;
import org.springframework.kafka.event.ConsumerStartingEvent;
import org.springframework.kafka.event.ConsumerStoppedEvent;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * Tells the dispatcher which container each consumer thread belongs to: a container
 * publishes {@link ConsumerStartingEvent} on its consumer thread before the first poll.
 */
public final class ConsumerThreads implements SmartApplicationListener {

	private final ObjectProvider<KafkaRecordDispatcher> dispatcher;

	public ConsumerThreads(ObjectProvider<KafkaRecordDispatcher> dispatcher) {
		this.dispatcher = dispatcher;
	}

	@Override
	public boolean supportsEventType(Class<? extends ApplicationEvent> eventType) {
		return ConsumerStartingEvent.class.isAssignableFrom(eventType)
				|| ConsumerStoppedEvent.class.isAssignableFrom(eventType);
	}

	@Override
	public void onApplicationEvent(ApplicationEvent event) {
		KafkaRecordDispatcher dispatcher = this.dispatcher.getIfAvailable();
		if (dispatcher == null) {
			return;
		}
		if (event instanceof ConsumerStartingEvent starting) {
			dispatcher.consumerStarting(starting.getSource(MessageListenerContainer.class));
		}
		else if (event instanceof ConsumerStoppedEvent stopped) {
			dispatcher.consumerStopped(stopped.getSource(MessageListenerContainer.class));
		}
	}

}
