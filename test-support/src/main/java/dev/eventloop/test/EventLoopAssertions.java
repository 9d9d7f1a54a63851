package dev.eventloop.test;

import dev.eventloop.EventLoop;

/**
 * Entry point of the AssertJ assertions for event loops:
 * {@code assertThat(loop).isIdle().hasCompleted(3).hasNoBlockingViolations()}.
 *
 * @since 0.1.0
 */
public final class EventLoopAssertions {

	private EventLoopAssertions() {
	}

	/**
	 * Create assertions for a loop.
	 * @param loop the loop under test
	 * @return its assertions
	 */
	public static EventLoopAssert assertThat(EventLoop loop) {
		return new EventLoopAssert(loop);
	}

}
