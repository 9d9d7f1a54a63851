package dev.eventloop;

import java.util.concurrent.TimeUnit;

/**
 * The spin budget of an {@link IdleStrategy#ADAPTIVE} loop: how long its idle thread
 * spins for the next task before it parks, set from the rate at which tasks arrived
 * recently.
 *
 * <p>
 * A cycle runs from one idle start to the next. When the loop ran {@code n} queued tasks
 * in a cycle of {@code d} nanoseconds, tasks arrived about {@code d / n} apart ({@code d}
 * when none came: the gap is at least that long). An exponentially weighted mean of these
 * gaps sets the budget: while it is at most {@link #GAP_LIMIT}, the loop spins for
 * {@link #SPIN_FACTOR} times the mean gap (between {@link #MIN_BUDGET} and
 * {@link #MAX_BUDGET}), which catches the next task without a thread wake-up, even when
 * arrivals jitter, for about one gap of CPU per task (the spin ends when the task comes);
 * above it the budget is zero and the loop parks at once, as {@link IdleStrategy#PARK}
 * does. A gap is counted as {@link #GAP_CAP} at most, so one idle period of a millisecond
 * or more lifts the mean far above the limit: an idle loop stops spinning after its first
 * long park, and a loop that gets busy again spins after some fifteen short cycles.
 *
 * <p>
 * The budget grows with the arrival rate and shrinks when the loop idles, as a backoff
 * idle strategy does, but it is driven by the measured rate rather than by how many idle
 * rounds in a row found nothing: a loop whose tasks come further apart than a park and
 * wake-up cost never spins at all.
 *
 * <p>
 * Threading: every method but {@link #isHot()} is called by the loop thread only, and the
 * fields other than {@code hot} are the loop thread's alone. {@code hot} is a hint for
 * threads about to block on a result of this loop: written by the loop thread when it
 * changes, read by any thread, ordering nothing.
 */
final class AdaptiveSpin {

	/** The longest mean gap between tasks for which the loop spins. */
	static final long GAP_LIMIT = TimeUnit.MICROSECONDS.toNanos(20);

	/** How many mean gaps the loop spins for. */
	static final int SPIN_FACTOR = 4;

	/** The shortest spin, when the loop spins at all. */
	static final long MIN_BUDGET = TimeUnit.MICROSECONDS.toNanos(2);

	/** The longest spin: that of {@link IdleStrategy#SPIN_THEN_PARK}. */
	static final long MAX_BUDGET = Spin.NANOS;

	/** The longest gap one cycle contributes to the mean. */
	static final long GAP_CAP = TimeUnit.MILLISECONDS.toNanos(1);

	/** Each cycle moves the mean a quarter of the way to its gap. */
	private static final int WEIGHT_SHIFT = 2;

	// loop thread only: the weighted mean gap between tasks; starts cold, as if idle
	private long meanGap = GAP_CAP;

	// loop thread only: when the current cycle started, and whether one has
	private long cycleStart;

	private boolean started;

	// loop thread only: queued tasks run in the current cycle
	private int tasks;

	// loop thread only: the budget of the current idle period
	private long budget;

	// written by the loop thread when it changes, read by waiting threads (a hint)
	private volatile boolean hot;

	/**
	 * Count queued tasks the loop ran (loop thread).
	 * @param count how many
	 */
	void ran(int count) {
		this.tasks += count;
	}

	/**
	 * An idle period starts: close the current cycle, fold its gap into the mean and
	 * return how long to spin (loop thread).
	 * @param now the time, in {@link System#nanoTime()} nanoseconds
	 * @return the spin budget in nanoseconds, zero to park at once
	 */
	long idleStarts(long now) {
		if (this.started) {
			long cycle = Math.max(0, now - this.cycleStart);
			long gap = Math.min(GAP_CAP, cycle / Math.max(1, this.tasks));
			this.meanGap += (gap - this.meanGap) >> WEIGHT_SHIFT;
		}
		this.started = true;
		this.cycleStart = now;
		this.tasks = 0;
		this.budget = (this.meanGap <= GAP_LIMIT)
				? Math.max(MIN_BUDGET, Math.min(MAX_BUDGET, SPIN_FACTOR * this.meanGap)) : 0;
		publishHot(this.budget > 0);
		return this.budget;
	}

	/**
	 * The spin ran out without work and the loop is about to park: threads that wait for
	 * its results need not spin (loop thread).
	 */
	void spinRanOut() {
		publishHot(false);
	}

	/**
	 * Return the budget of the current idle period (loop thread; tests).
	 * @return the budget in nanoseconds
	 */
	long budget() {
		return this.budget;
	}

	/**
	 * Return the weighted mean gap between tasks (loop thread; tests).
	 * @return the mean gap in nanoseconds
	 */
	long meanGap() {
		return this.meanGap;
	}

	/**
	 * Return whether the loop spins when idle at the moment, so that a thread about to
	 * block on one of its results had better spin briefly too (any thread; a hint).
	 * @return whether the loop is spinning or will spin when next idle
	 */
	boolean isHot() {
		return this.hot;
	}

	private void publishHot(boolean hot) {
		// a volatile write only when the hint changes, not on every idle period
		if (this.hot != hot) {
			this.hot = hot;
		}
	}

}
