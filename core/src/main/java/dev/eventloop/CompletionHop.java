package dev.eventloop;

import java.util.Set;
import java.util.concurrent.RejectedExecutionException;

import org.jspecify.annotations.Nullable;

/**
 * Completes a future on its caller's loop. Internal traffic: it is not counted as a task
 * of the loop it runs on. Running it twice is harmless: a future completes once.
 */
final class CompletionHop<T extends @Nullable Object> extends InternalTask {

	private final LoopFuture<T> future;

	private final @Nullable T value;

	private final @Nullable Throwable failure;

	private final @Nullable Set<CompletionHop<?>> pending;

	CompletionHop(LoopFuture<T> future, @Nullable T value, @Nullable Throwable failure,
			@Nullable Set<CompletionHop<?>> pending) {
		this.future = future;
		this.value = value;
		this.failure = failure;
		this.pending = pending;
	}

	@Override
	public void execute() {
	}

	@Override
	public void deliver() {
		if (this.pending != null) {
			this.pending.remove(this);
		}
		this.future.completeNow(this.value, this.failure);
	}

	@Override
	public void fail(Throwable failure) {
		// completing a future only fails if one of its dependent stages throws, and
		// CompletableFuture delivers that to the dependent future itself
	}

	@Override
	public void abandon(RejectedExecutionException cause) {
		// the result exists: deliver it on the sweeping thread rather than lose it
		run();
	}

}
