package dev.eventloop;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.jspecify.annotations.Nullable;

/**
 * One daemon thread that watches every loop, as Vert.x's blocked-thread checker does: a
 * loop whose current task has run longer than its stall threshold is marked stalled with
 * its thread's stack, and the mark clears when the loop moves on. A task that keeps the
 * loop thread waiting (parked, sleeping or blocked on a lock, as a loop blocked on its
 * own result is) is reported sooner, as blocked, after two checks in a row. The watchdog
 * also terminates a loop stuck in one task past its shutdown deadline.
 *
 * <p>
 * The thread wakes once per check period of the most demanding loop, and checks each loop
 * only when that loop's own period has passed; an idle loop costs a few volatile reads
 * per check.
 */
final class Watchdog {

	static final Watchdog INSTANCE = new Watchdog();

	private static final System.Logger logger = System.getLogger(Watchdog.class.getName());

	// where a loop's own events are logged, a forced termination included
	private static final System.Logger loopLogger = System.getLogger(EventLoop.class.getName());

	private static final long MIN_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

	private static final long MAX_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

	// any thread adds (watch) and removes (terminated); the watchdog thread iterates
	private final Set<Monitor> monitors = ConcurrentHashMap.newKeySet();

	private final Thread thread;

	private Watchdog() {
		this.thread = new Thread(this::run, "eventloop-watchdog");
		this.thread.setDaemon(true);
		this.thread.start();
	}

	void watch(Monitor monitor) {
		this.monitors.add(monitor);
		LockSupport.unpark(this.thread); // its period may be shorter than the current one
	}

	private void run() {
		while (true) {
			long now = System.nanoTime();
			long period = MAX_PERIOD_NANOS;
			for (Monitor monitor : this.monitors) {
				period = Math.min(period, monitor.periodNanos);
				if (now - monitor.nextCheckNanos >= 0) {
					monitor.nextCheckNanos = now + monitor.periodNanos;
					monitor.check();
				}
			}
			if (this.monitors.isEmpty()) {
				LockSupport.park(this);
			}
			else {
				LockSupport.parkNanos(this, period);
			}
		}
	}

	/**
	 * The watchdog's view of one loop, and what it does to a loop stuck past its shutdown
	 * deadline.
	 */
	static final class Monitor {

		private final String loopName;

		private final Duration stallThreshold;

		private final Ticker ticker;

		private final LoopCounters counters;

		private final LoopThread thread;

		private final LoopLifecycle lifecycle;

		private final TaskQueue queue;

		private final LoopTimers timers;

		private final long thresholdNanos;

		private final long periodNanos;

		// watchdog thread only
		private long nextCheckNanos;

		private long lastSequence = -1;

		private long lastChangeNanos;

		// watchdog thread only: the loop's ticker at the previous check
		private long lastCheckNanos;

		private int waitingChecks;

		// written by the watchdog thread, read by any thread: 0 when the loop is idle
		private volatile long runningSinceNanos;

		private volatile boolean stalled;

		private volatile boolean blocked;

		private volatile @Nullable Instant stalledSince;

		private volatile StackTraceElement[] stallStackTrace = new StackTraceElement[0];

		Monitor(String loopName, Duration stallThreshold, Ticker ticker, LoopCounters counters, LoopThread thread,
				LoopLifecycle lifecycle, TaskQueue queue, LoopTimers timers) {
			this.loopName = loopName;
			this.stallThreshold = stallThreshold;
			this.ticker = ticker;
			this.counters = counters;
			this.thread = thread;
			this.lifecycle = lifecycle;
			this.queue = queue;
			this.timers = timers;
			this.thresholdNanos = stallThreshold.toNanos();
			this.periodNanos = Math.max(MIN_PERIOD_NANOS, Math.min(MAX_PERIOD_NANOS, this.thresholdNanos / 4));
			this.lastCheckNanos = ticker.nanoTime();
		}

		/**
		 * Look at the loop once. Times are the loop's own ticker's.
		 */
		void check() {
			try {
				long now = this.ticker.nanoTime();
				long sequence = this.counters.runSequence();
				boolean busy = this.counters.running();
				if (!busy || sequence != this.lastSequence) {
					// the task started since the previous check: at most a period after
					// it,
					// which is now on the system ticker, and keeps a manual ticker's time
					// moved past a task that holds the loop from hiding its start
					moved(Math.min(now, this.lastCheckNanos + this.periodNanos), sequence, busy);
				}
				else if (!this.stalled) {
					Thread.State threadState = this.thread.getState();
					boolean waiting = threadState == Thread.State.WAITING || threadState == Thread.State.TIMED_WAITING
							|| threadState == Thread.State.BLOCKED;
					this.waitingChecks = waiting ? this.waitingChecks + 1 : 0;
					if (this.waitingChecks >= 2) {
						markStalled(now, true, threadState);
					}
					else if (now - this.lastChangeNanos >= this.thresholdNanos) {
						markStalled(now, false, threadState);
					}
				}
				this.lastCheckNanos = now;
				if (this.stalled && this.lifecycle.state() == LoopState.SHUTTING_DOWN
						&& now - this.lifecycle.shutdownDeadline() > 0) {
					forceTerminate(this.stallStackTrace);
				}
			}
			catch (RuntimeException ex) {
				logger.log(Level.ERROR, "Watchdog check of event loop '" + this.loopName + "' failed", ex);
			}
		}

		private void moved(long now, long sequence, boolean busy) {
			this.lastSequence = sequence;
			this.lastChangeNanos = now;
			this.waitingChecks = 0;
			this.runningSinceNanos = busy ? now : 0;
			if (this.stalled) {
				this.stalled = false;
				this.blocked = false;
				this.stalledSince = null;
				this.stallStackTrace = new StackTraceElement[0];
				logger.log(Level.INFO, "Event loop '" + this.loopName + "' is no longer stalled");
			}
		}

		private void markStalled(long now, boolean blocked, Thread.State threadState) {
			StackTraceElement[] trace = this.thread.getStackTrace();
			this.stallStackTrace = trace;
			this.stalledSince = Instant.now().minusNanos(now - this.lastChangeNanos);
			this.blocked = blocked;
			this.stalled = true;
			Throwable where = new Throwable("Stack of event loop '" + this.loopName + "'");
			where.setStackTrace(trace);
			long millis = TimeUnit.NANOSECONDS.toMillis(now - this.lastChangeNanos);
			String message = blocked ? "Event loop '" + this.loopName + "' is blocked: its current task has kept "
					+ "the loop thread waiting (" + threadState + ") for about " + millis + " ms. If it waits for a "
					+ "result that this loop must produce, it never returns. Compose the result instead "
					+ "(thenCompose, thenApply) and move blocking work off the loop with AsyncContext.offload."
					: "Event loop '" + this.loopName + "' is stalled: one task has run for more than "
							+ this.stallThreshold.toMillis() + " ms. Move blocking work off "
							+ "the loop with AsyncContext.offload.";
			logger.log(Level.WARNING, message, where);
		}

		/**
		 * Terminate a loop whose thread is stuck in one task after its shutdown deadline.
		 * Called by the watchdog only once it has seen the task stalled, so the loop
		 * thread is inside that task and not polling the queue or changing its timers
		 * (which it no longer accepts); when the task returns, the loop thread sees
		 * TERMINATED and polls no more.
		 */
		private void forceTerminate(StackTraceElement[] stuckAt) {
			if (!this.lifecycle.markTerminated(true)) {
				return;
			}
			Throwable where = new Throwable("Stack of the stuck task");
			where.setStackTrace(stuckAt);
			int timers = this.timers.cancelAllFromElsewhere();
			int count = this.queue.sweep();
			loopLogger.log(Level.ERROR, "Event loop '" + this.loopName + "' did not finish a task before its shutdown "
					+ "timeout; terminated without it. " + count + " queued tasks were abandoned and " + timers
					+ " pending timers cancelled; their futures completed exceptionally. The stuck task is still "
					+ "running on thread '" + this.thread.getName() + "'.", where);
			this.thread.interrupt();
			loopTerminated(null);
		}

		/**
		 * The loop has terminated, on its thread or by {@link #forceTerminate}: no task
		 * will run again. Its death, if any, is published before the termination future
		 * completes.
		 */
		void loopTerminated(LoopStats.@Nullable Death death) {
			this.lifecycle.died(death);
			terminated();
			this.ticker.detach(this.timers);
			this.lifecycle.completeTermination();
		}

		private void terminated() {
			INSTANCE.monitors.remove(this);
			this.runningSinceNanos = 0;
			this.stalled = false;
			this.blocked = false;
			this.stalledSince = null;
		}

		/**
		 * Return the stall as it stands at {@code now} (on the loop's ticker).
		 */
		long runningForNanos(long now) {
			long since = this.runningSinceNanos;
			return (since == 0) ? 0 : Math.max(0, now - since);
		}

		boolean stalled() {
			return this.stalled;
		}

		LoopStats.Stall snapshot(long now) {
			long since = this.runningSinceNanos;
			Duration runningFor = (since == 0) ? Duration.ZERO : Duration.ofNanos(Math.max(0, now - since));
			boolean stalled = this.stalled;
			return new LoopStats.Stall(stalled, stalled && this.blocked, runningFor, stalled ? this.stalledSince : null,
					stalled ? List.of(this.stallStackTrace) : List.of());
		}

	}

}
