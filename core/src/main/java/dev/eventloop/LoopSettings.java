package dev.eventloop;

import java.lang.Thread.UncaughtExceptionHandler;
import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * Immutable per-loop settings collected by a {@link LoopBuilder}.
 */
record LoopSettings(int queueCapacity, Duration submitTimeout, Duration stallThreshold, Duration lagThreshold,
		Duration lagProbeInterval, IdleStrategy idleStrategy, BlockingPolicy blockingPolicy,
		UncaughtExceptionHandler uncaughtExceptionHandler, boolean daemon, Ticker ticker,
		@Nullable Runnable afterEachTask) {

}
