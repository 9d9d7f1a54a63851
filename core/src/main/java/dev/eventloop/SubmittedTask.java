package dev.eventloop;

import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;

import org.jspecify.annotations.Nullable;

/**
 * A {@link Callable} queued on a loop with the future its caller holds. The future is
 * completed on the caller's loop ({@code home}) when the caller was on another loop.
 */
final class SubmittedTask<T extends @Nullable Object> extends LoopTask {

	private final Callable<T> callable;

	private final LoopFuture<T> future;

	private final @Nullable EventLoop home;

	// queued by its own loop in place of an inline run (see EventLoop.submitDeferred)
	private final boolean deferred;

	// loop thread only: the outcome between execute() and deliver()
	private @Nullable T value;

	private boolean skipped;

	SubmittedTask(Callable<T> callable, LoopFuture<T> future, @Nullable EventLoop home, boolean deferred) {
		this.callable = callable;
		this.future = future;
		this.home = home;
		this.deferred = deferred;
	}

	@Override
	void execute() throws Exception {
		if (this.deferred) {
			((LoopThread) Thread.currentThread()).deferredInline--; // even if cancelled
		}
		this.skipped = this.future.isDone(); // cancelled by its caller before it ran
		if (!this.skipped) {
			this.value = this.callable.call();
		}
	}

	@Override
	void deliver() {
		if (!this.skipped) {
			this.future.completeOn(this.home, this.value, null);
		}
	}

	@Override
	void fail(Throwable failure) {
		this.future.completeOn(this.home, null, failure);
	}

	@Override
	void abandon(RejectedExecutionException cause) {
		this.future.completeOn(this.home, null, cause);
	}

}
