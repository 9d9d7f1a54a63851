package dev.eventloop;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A point-in-time snapshot of one loop's health and counters. Counters are cumulative
 * since the loop started; for meters that poll often, {@link EventLoop#counters()} reads
 * the counts more cheaply.
 *
 * <p>
 * Accounting: every task accepted by {@code execute}, {@code submit} or {@code schedule}
 * counts once in {@code submitted}; each run of a task counts once in {@code completed}
 * or {@code failed} (a periodic task counts once per run); a task that never ran counts
 * in {@code abandoned}. Work run inline by {@link AsyncContext} counts in {@code inline},
 * and also in {@code failed} when it throws.
 *
 * @param name loop name
 * @param group name of the group the loop belongs to (its own name for a standalone loop)
 * @param state lifecycle state
 * @param tasks task counts
 * @param queue the task queue
 * @param lag scheduling lag measured by the probe
 * @param utilization share of wall time spent running tasks over the last probe interval,
 * from 0 to 1
 * @param stall whether one task holds the loop, and since when
 * @param death what killed the loop thread, if its own machinery failed; {@code null}
 * while it lives or after an orderly shutdown
 * @since 0.1.0
 */
public record LoopStats(String name, String group, LoopState state, Tasks tasks, Queue queue, Lag lag,
		double utilization, Stall stall, @Nullable Death death) {

	/**
	 * Return whether the loop thread died from a failure of the loop's own machinery.
	 * @return {@code true} if the loop thread died
	 */
	public boolean died() {
		return this.death != null;
	}

	/**
	 * Task counts.
	 *
	 * @param submitted tasks accepted into the loop's queue or timers
	 * @param inline tasks run inline on the loop by {@link AsyncContext}
	 * @param completed task runs that returned normally
	 * @param failed task runs that threw (inline runs included)
	 * @param rejected tasks refused because the queue was full or the loop was shut down
	 * @param abandoned accepted tasks that never ran because the loop shut down first
	 * @param blockingViolations times code on this loop blocked under
	 * {@link BlockingPolicy#WARN}
	 * @since 0.1.0
	 */
	public record Tasks(long submitted, long inline, long completed, long failed, long rejected, long abandoned,
			long blockingViolations) {

	}

	/**
	 * The task queue.
	 *
	 * @param size tasks waiting in the queue now
	 * @param capacity the bound on queued tasks, or zero when unbounded
	 * @since 0.1.0
	 */
	public record Queue(int size, int capacity) {

	}

	/**
	 * Scheduling lag: how late the loop runs work that is due, measured by a probe timer.
	 *
	 * @param last the current lag: the latest sample, or how late the probe is now while
	 * a task holds the loop; zero while the loop is idle
	 * @param p50 median of recent samples
	 * @param p99 99th percentile of recent samples
	 * @param max maximum of recent samples
	 * @param lagging whether the running loop's current lag exceeds its lag threshold
	 * @since 0.1.0
	 */
	public record Lag(Duration last, Duration p50, Duration p99, Duration max, boolean lagging) {

	}

	/**
	 * Whether one task holds the loop.
	 *
	 * @param stalled whether one task has run longer than the stall threshold, or keeps
	 * the loop thread waiting (see {@code blocked})
	 * @param blocked whether the stall is a task that keeps the loop thread waiting
	 * (parked, sleeping, or blocked on a lock or a future) rather than computing;
	 * reported sooner than a stall, after two watchdog checks
	 * @param runningFor how long the current task has been running, zero when idle
	 * (measured by the watchdog, to within its check period)
	 * @param since when the stall began, if stalled
	 * @param stackTrace the loop thread's stack captured when the stall was detected,
	 * empty if not stalled
	 * @since 0.1.0
	 */
	public record Stall(boolean stalled, boolean blocked, Duration runningFor, @Nullable Instant since,
			List<StackTraceElement> stackTrace) {

		/**
		 * Create a stall snapshot; the stack trace list is copied.
		 */
		public Stall {
			stackTrace = List.copyOf(stackTrace);
		}

		/**
		 * Return how long the loop has been stalled.
		 * @return the stall duration, zero when not stalled
		 */
		public Duration stalledFor() {
			return this.stalled ? this.runningFor : Duration.ZERO;
		}

	}

	/**
	 * The death of a loop thread.
	 *
	 * @param cause what killed it
	 * @param at when it died
	 * @since 0.1.0
	 */
	public record Death(Throwable cause, Instant at) {

	}

}
