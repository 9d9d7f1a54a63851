package dev.eventloop.test;

import dev.eventloop.EventLoop;
import dev.eventloop.LoopCounters;
import dev.eventloop.LoopState;
import dev.eventloop.LoopStats;
import org.assertj.core.api.AbstractAssert;

/**
 * AssertJ assertions on one {@link EventLoop}, reading its live counters and stats when
 * each assertion runs. Create them with
 * {@link EventLoopAssertions#assertThat(EventLoop)}.
 *
 * @since 0.1.0
 */
public class EventLoopAssert extends AbstractAssert<EventLoopAssert, EventLoop> {

	EventLoopAssert(EventLoop actual) {
		super(actual, EventLoopAssert.class);
	}

	/**
	 * Verify that the loop is running and has an empty queue and no task running. A task
	 * completes its future before the loop has finished with it, so assert this after
	 * {@link EventLoopTestSupport#awaitQuiescence}, not right after a future completes.
	 * @return this
	 */
	public EventLoopAssert isIdle() {
		isNotNull();
		LoopCounters counters = this.actual.counters();
		if (this.actual.state() != LoopState.RUNNING || counters.queueSize() != 0 || counters.running()) {
			failWithMessage("Expected event loop '%s' to be idle, but it was %s with %d tasks queued%s",
					this.actual.name(), this.actual.state(), counters.queueSize(),
					counters.running() ? " and a task running" : "");
		}
		return this;
	}

	/**
	 * Verify that no code on the loop blocked on an unfinished result (counted under the
	 * {@code warn} policy).
	 * @return this
	 */
	public EventLoopAssert hasNoBlockingViolations() {
		isNotNull();
		long violations = this.actual.counters().blockingViolations();
		if (violations != 0) {
			failWithMessage("Expected no blocking on event loop '%s', but code on it blocked %d times",
					this.actual.name(), violations);
		}
		return this;
	}

	/**
	 * Verify how many task runs returned normally.
	 * @param expected the expected count
	 * @return this
	 */
	public EventLoopAssert hasCompleted(long expected) {
		isNotNull();
		long completed = this.actual.counters().completed();
		if (completed != expected) {
			failWithMessage("Expected event loop '%s' to have completed %d task runs, but it completed %d",
					this.actual.name(), expected, completed);
		}
		return this;
	}

	/**
	 * Verify how many task runs threw (inline runs included).
	 * @param expected the expected count
	 * @return this
	 */
	public EventLoopAssert hasFailed(long expected) {
		isNotNull();
		long failed = this.actual.counters().failed();
		if (failed != expected) {
			failWithMessage("Expected event loop '%s' to have failed %d task runs, but %d failed", this.actual.name(),
					expected, failed);
		}
		return this;
	}

	/**
	 * Verify that no task holds the loop past its stall threshold and that no task keeps
	 * it waiting.
	 * @return this
	 */
	public EventLoopAssert isNotStalled() {
		isNotNull();
		LoopStats.Stall stall = this.actual.stats().stall();
		if (stall.stalled()) {
			failWithMessage("Expected event loop '%s' not to be stalled, but it has been %s for %s at%n%s",
					this.actual.name(), stall.blocked() ? "blocked" : "stalled", stall.stalledFor(),
					stall.stackTrace());
		}
		return this;
	}

	/**
	 * Verify that the loop is stalled: a task has held it past its stall threshold, or
	 * keeps it waiting.
	 * @return this
	 */
	public EventLoopAssert isStalled() {
		isNotNull();
		if (!this.actual.stats().stall().stalled()) {
			failWithMessage("Expected event loop '%s' to be stalled, but it was not", this.actual.name());
		}
		return this;
	}

}
