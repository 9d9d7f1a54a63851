package dev.eventloop;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A point-in-time snapshot of one loop's health and counters. Counters are cumulative
 * since the loop started.
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
 * @param submitted tasks accepted into the loop's queue or timers
 * @param inline tasks run inline on the loop by {@link AsyncContext}
 * @param completed task runs that returned normally
 * @param failed task runs that threw
 * @param rejected tasks refused because the queue was full or the loop was shut down
 * @param abandoned accepted tasks that never ran because the loop shut down first
 * @param blockingViolations times code on this loop blocked under
 * {@link BlockingPolicy#WARN}
 * @param queueSize tasks waiting in the queue now
 * @param queueCapacity queue bound, or zero when unbounded
 * @param lag most recent scheduling lag measured by the probe
 * @param lagP50 median of recent lag samples
 * @param lagP99 99th percentile of recent lag samples
 * @param lagMax maximum of recent lag samples
 * @param utilization share of wall time spent running tasks over the last probe interval,
 * from 0 to 1
 * @param runningFor how long the current task has been running, zero when idle (measured
 * by the watchdog, to within its check period)
 * @param stalled whether one task has been running longer than the stall threshold, or
 * has kept the loop thread waiting (see {@code blocked})
 * @param blocked whether the stall is a task that keeps the loop thread waiting (parked,
 * sleeping, or blocked on a lock or on a future) rather than computing; reported sooner
 * than a stall, after two watchdog checks
 * @param stalledSince when the stall began, if stalled
 * @param stallStackTrace the loop thread's stack captured when the stall was detected,
 * empty if not stalled
 * @param lagging whether the running loop's current lag exceeds its lag threshold: work
 * given to it waits longer than that before it runs
 * @param failure what killed the loop thread, if it died
 * @param failedAt when the loop thread died, if it did
 * @since 0.1.0
 */
public record LoopStats(String name, String group, LoopState state, long submitted, long inline, long completed,
		long failed, long rejected, long abandoned, long blockingViolations, int queueSize, int queueCapacity,
		Duration lag, Duration lagP50, Duration lagP99, Duration lagMax, double utilization, Duration runningFor,
		boolean stalled, boolean blocked, @Nullable Instant stalledSince, List<StackTraceElement> stallStackTrace,
		boolean lagging, @Nullable Throwable failure, @Nullable Instant failedAt) {

	/**
	 * Create a snapshot; the stack trace list is copied.
	 */
	public LoopStats {
		stallStackTrace = List.copyOf(stallStackTrace);
	}

	/**
	 * Return whether the loop thread died from an error it could not survive.
	 * @return {@code true} if the loop thread died
	 */
	public boolean died() {
		return this.failure != null;
	}

	/**
	 * Return how long the loop has been stalled.
	 * @return the stall duration, zero when not stalled
	 */
	public Duration stalledFor() {
		return this.stalled ? this.runningFor : Duration.ZERO;
	}

}
