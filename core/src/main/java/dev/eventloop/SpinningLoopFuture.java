package dev.eventloop;

import org.jspecify.annotations.Nullable;

/**
 * The future of a task submitted to a loop whose idle strategy is
 * {@link IdleStrategy#SPIN_THEN_PARK}: a thread that waits for it spins for as long as
 * the loop does before it parks, so that a quick round trip wakes neither thread. A
 * subclass, so that other futures stay as small as a plain {@code CompletableFuture}.
 */
final class SpinningLoopFuture<T extends @Nullable Object> extends LoopFuture<T> {

	@Override
	void spinBeforeBlocking() {
		Spin.until(this::isDone);
	}

}
