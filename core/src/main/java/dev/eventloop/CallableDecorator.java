package dev.eventloop;

import java.util.concurrent.Callable;

/**
 * Wraps a task when {@link AsyncContext} hands it to another thread, for example to carry
 * the caller's thread-local context (logging MDC, tracing) onto the loop and clear it
 * afterwards. Inline work runs on the caller's thread and is not decorated.
 *
 * @since 0.1.0
 */
public interface CallableDecorator {

	/**
	 * Return the task to run on the other thread, usually one that restores what was
	 * captured from the calling thread while it runs the given task.
	 * @param <T> the result type
	 * @param task the task to decorate
	 * @return the decorated task
	 */
	<T> Callable<T> decorate(Callable<T> task);

}
