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
	 * The watchdog's view of one loop.
	 */
	static final class Monitor {

		private final EventLoop loop;

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

		Monitor(EventLoop loop) {
			this.loop = loop;
			this.thresholdNanos = loop.stallThreshold().toNanos();
			this.periodNanos = Math.max(MIN_PERIOD_NANOS, Math.min(MAX_PERIOD_NANOS, this.thresholdNanos / 4));
			this.lastCheckNanos = loop.ticker().nanoTime();
		}

		/**
		 * Look at the loop once. Times are the loop's own ticker's.
		 */
		void check() {
			try {
				long now = this.loop.ticker().nanoTime();
				long sequence = this.loop.counters().runSequence();
				boolean busy = this.loop.counters().running();
				if (!busy || sequence != this.lastSequence) {
					// the task started since the previous check: at most a period after
					// it,
					// which is now on the system ticker, and keeps a manual ticker's time
					// moved past a task that holds the loop from hiding its start
					moved(Math.min(now, this.lastCheckNanos + this.periodNanos), sequence, busy);
				}
				else if (!this.stalled) {
					Thread.State threadState = this.loop.thread().getState();
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
				if (this.stalled && this.loop.state() == LoopState.SHUTTING_DOWN
						&& now - this.loop.shutdownDeadline() > 0) {
					this.loop.runner().forceTerminate(this.stallStackTrace);
				}
			}
			catch (RuntimeException ex) {
				logger.log(Level.ERROR, "Watchdog check of event loop '" + this.loop.name() + "' failed", ex);
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
				logger.log(Level.INFO, "Event loop '" + this.loop.name() + "' is no longer stalled");
			}
		}

		private void markStalled(long now, boolean blocked, Thread.State threadState) {
			StackTraceElement[] trace = this.loop.thread().getStackTrace();
			this.stallStackTrace = trace;
			this.stalledSince = Instant.now().minusNanos(now - this.lastChangeNanos);
			this.blocked = blocked;
			this.stalled = true;
			Throwable where = new Throwable("Stack of event loop '" + this.loop.name() + "'");
			where.setStackTrace(trace);
			long millis = TimeUnit.NANOSECONDS.toMillis(now - this.lastChangeNanos);
			String message = blocked ? "Event loop '" + this.loop.name() + "' is blocked: its current task has kept "
					+ "the loop thread waiting (" + threadState + ") for about " + millis + " ms. If it waits for a "
					+ "result that this loop must produce, it never returns. Compose the result instead "
					+ "(thenCompose, thenApply) and move blocking work off the loop with AsyncContext.offload."
					: "Event loop '" + this.loop.name() + "' is stalled: one task has run for more than "
							+ this.loop.stallThreshold().toMillis() + " ms. Move blocking work off "
							+ "the loop with AsyncContext.offload.";
			logger.log(Level.WARNING, message, where);
		}

		void terminated() {
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
