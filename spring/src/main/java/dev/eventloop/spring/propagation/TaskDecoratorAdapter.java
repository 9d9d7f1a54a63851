package dev.eventloop.spring.propagation;

import java.util.concurrent.Callable;

import dev.eventloop.CallableDecorator;
import org.jspecify.annotations.Nullable;

import org.springframework.core.task.TaskDecorator;

/**
 * Applies a Spring {@link TaskDecorator} bean to the work {@code AsyncContext} hands to a
 * loop or the offload executor, as Boot's task executors apply it to theirs: the
 * decorator sees the task on the submitting thread and wraps what runs on the other
 * thread.
 */
public final class TaskDecoratorAdapter implements CallableDecorator {

	private final TaskDecorator decorator;

	public TaskDecoratorAdapter(TaskDecorator decorator) {
		this.decorator = decorator;
	}

	@Override
	public <T> Callable<T> decorate(Callable<T> task) {
		Outcome<T> outcome = new Outcome<>(task);
		Runnable decorated = this.decorator.decorate(outcome);
		return () -> {
			decorated.run();
			return outcome.get();
		};
	}

	/**
	 * Runs the task and keeps its result or failure for the caller of the decorated
	 * runnable. Used by one thread: the one that runs the decorated task.
	 */
	private static final class Outcome<T> implements Runnable {

		private final Callable<T> task;

		private @Nullable T value;

		private @Nullable Throwable failure;

		private boolean ran;

		Outcome(Callable<T> task) {
			this.task = task;
		}

		@Override
		public void run() {
			this.ran = true;
			try {
				this.value = this.task.call();
			}
			catch (Throwable ex) {
				this.failure = ex;
			}
		}

		@SuppressWarnings("NullAway")
		T get() throws Exception {
			if (!this.ran) {
				throw new IllegalStateException(
						"A TaskDecorator did not run the task it decorated: a decorator must call the runnable it returns exactly once");
			}
			if (this.failure instanceof Exception exception) {
				throw exception;
			}
			if (this.failure instanceof Error error) {
				throw error;
			}
			return this.value;
		}

	}

}
