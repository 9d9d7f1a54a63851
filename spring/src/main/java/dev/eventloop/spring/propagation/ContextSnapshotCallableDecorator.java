package dev.eventloop.spring.propagation;

import java.util.concurrent.Callable;

import dev.eventloop.CallableDecorator;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;

/**
 * Captures the caller's thread-local context (logging MDC, the current observation and
 * whatever else is registered with Micrometer's context-propagation) when a task is
 * handed to another thread, restores it while the task runs there, and clears it
 * afterwards.
 */
public final class ContextSnapshotCallableDecorator implements CallableDecorator {

	private final ContextSnapshotFactory snapshotFactory;

	public ContextSnapshotCallableDecorator(ContextSnapshotFactory snapshotFactory) {
		this.snapshotFactory = snapshotFactory;
	}

	@Override
	public <T> Callable<T> decorate(Callable<T> task) {
		ContextSnapshot snapshot = this.snapshotFactory.captureAll();
		return () -> {
			try (ContextSnapshot.Scope scope = snapshot.setThreadLocals()) {
				return task.call();
			}
		};
	}

}
