package dev.eventloop.spring.propagation;

import java.util.List;
import java.util.concurrent.Callable;

import dev.eventloop.CallableDecorator;

/**
 * Applies several {@link CallableDecorator task decorators}, the first one outermost.
 */
public final class CompositeCallableDecorator implements CallableDecorator {

	private final List<CallableDecorator> decorators;

	public CompositeCallableDecorator(List<CallableDecorator> decorators) {
		this.decorators = List.copyOf(decorators);
	}

	@Override
	public <T> Callable<T> decorate(Callable<T> task) {
		Callable<T> decorated = task;
		for (int i = this.decorators.size() - 1; i >= 0; i--) {
			decorated = this.decorators.get(i).decorate(decorated);
		}
		return decorated;
	}

}
