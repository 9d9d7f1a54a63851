package dev.eventloop;

import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;

/**
 * The lifecycle of one loop: its state, which only moves forward (NEW, RUNNING,
 * SHUTTING_DOWN, TERMINATED), the shutdown deadline, and how it ended. Read by every part
 * of the loop; written by the builder (start), any thread (shutdown), the loop thread
 * (termination) and the watchdog (forced termination).
 */
final class LoopLifecycle {

	private static final int ST_NEW = 0;

	private static final int ST_RUNNING = 1;

	private static final int ST_SHUTTING_DOWN = 2;

	private static final int ST_TERMINATED = 3;

	private static final LoopState[] STATES = LoopState.values();

	// any thread: only forward (NEW, RUNNING, SHUTTING_DOWN, TERMINATED), under lock
	// once running
	private volatile int state = ST_NEW;

	// guards the start of shutdown, so that the deadline is published with the state
	private final Object lock = new Object();

	// written under lock before the state moves to SHUTTING_DOWN
	private volatile long shutdownDeadline;

	// written once by whoever terminates the loop, read by any thread
	private volatile LoopStats.@Nullable Death death;

	private final CompletableFuture<Void> terminationFuture = new CompletableFuture<>();

	/**
	 * The loop starts running (the builder, before the loop thread starts).
	 */
	void start() {
		this.state = ST_RUNNING;
	}

	LoopState state() {
		return STATES[this.state];
	}

	boolean isRunning() {
		return this.state == ST_RUNNING;
	}

	boolean acceptsTasks() {
		return this.state < ST_SHUTTING_DOWN;
	}

	boolean isTerminated() {
		return this.state == ST_TERMINATED;
	}

	/**
	 * Begin shutdown, with its deadline {@code nanos} from now on the ticker, unless it
	 * has begun already (any thread).
	 */
	void shutDown(Ticker ticker, long nanos) {
		synchronized (this.lock) {
			if (this.state < ST_SHUTTING_DOWN) {
				this.shutdownDeadline = ticker.nanoTime() + nanos;
				this.state = ST_SHUTTING_DOWN;
			}
		}
	}

	long shutdownDeadline() {
		return this.shutdownDeadline;
	}

	// to TERMINATED from any state (runner) or only from SHUTTING_DOWN (watchdog)
	boolean markTerminated(boolean onlyWhileShuttingDown) {
		synchronized (this.lock) {
			if (onlyWhileShuttingDown && this.state != ST_SHUTTING_DOWN) {
				return false;
			}
			this.state = ST_TERMINATED;
			return true;
		}
	}

	/**
	 * Publish how the loop ended (null: in order); before {@link #completeTermination()}.
	 */
	void died(LoopStats.@Nullable Death death) {
		this.death = death;
	}

	LoopStats.@Nullable Death death() {
		return this.death;
	}

	void completeTermination() {
		this.terminationFuture.complete(null);
	}

	CompletableFuture<Void> terminationFuture() {
		return this.terminationFuture.copy();
	}

}
