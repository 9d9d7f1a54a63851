package dev.eventloop;

import java.util.concurrent.Callable;

import org.jspecify.annotations.Nullable;

/**
 * The future of a task submitted to a loop whose idle strategy is
 * {@link IdleStrategy#SPIN_THEN_PARK} or {@link IdleStrategy#ADAPTIVE}: a thread that
 * waits for it spins for as long as a spinning loop does before it parks, so that a quick
 * round trip wakes neither thread. For an adaptive loop it spins only while the loop is
 * hot (spinning when idle), and parks at once otherwise. A subclass, so that the tasks of
 * other loops stay as small as possible.
 */
final class SpinningLoopFuture<T extends @Nullable Object> extends SubmittedTask<T> {

	// the adaptive loop's spin whose hint decides, or null to spin always; final
	private final @Nullable AdaptiveSpin adaptive;

	SpinningLoopFuture(Callable<T> callable, @Nullable EventLoop home, @Nullable AdaptiveSpin adaptive) {
		super(callable, home);
		this.adaptive = adaptive;
	}

	@Override
	void spinBeforeBlocking() {
		if (this.adaptive == null || this.adaptive.isHot()) {
			Spin.until(this::isDone);
		}
	}

}
