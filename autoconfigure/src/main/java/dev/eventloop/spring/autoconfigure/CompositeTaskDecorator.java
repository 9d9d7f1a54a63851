package dev.eventloop.spring.autoconfigure;

import java.util.List;
import java.util.concurrent.Callable;

import dev.eventloop.TaskDecorator;

/**
 * Applies several {@link TaskDecorator task decorators}, the first one outermost.
 */
final class CompositeTaskDecorator implements TaskDecorator {

	private final List<TaskDecorator> decorators;

	CompositeTaskDecorator(List<TaskDecorator> decorators) {
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
