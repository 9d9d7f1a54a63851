package dev.eventloop;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * One daemon thread that watches every loop, as Vert.x's blocked-thread checker does: a
 * loop whose current task has run longer than its stall threshold is marked stalled with
 * its thread's stack, and the mark clears when the loop moves on. It also terminates a
 * loop stuck in one task past its shutdown deadline.
 */
final class Watchdog {

	static final Watchdog INSTANCE = new Watchdog();

	private static final System.Logger logger = System.getLogger(Watchdog.class.getName());

	private static final long MIN_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

	private static final long MAX_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

	private final ScheduledThreadPoolExecutor executor;

	private Watchdog() {
		this.executor = new ScheduledThreadPoolExecutor(1, (runnable) -> {
			Thread thread = new Thread(runnable, "eventloop-watchdog");
			thread.setDaemon(true);
			return thread;
		});
		this.executor.setRemoveOnCancelPolicy(true);
	}

	Monitor register(EventLoop loop) {
		Monitor monitor = new Monitor(loop);
		long period = Math.max(MIN_PERIOD_NANOS, Math.min(MAX_PERIOD_NANOS, monitor.thresholdNanos / 4));
		monitor.check = this.executor.scheduleWithFixedDelay(monitor::check, period, period, TimeUnit.NANOSECONDS);
		return monitor;
	}

	/**
	 * The watchdog's view of one loop.
	 */
	static final class Monitor {

		private final EventLoop loop;

		private final long thresholdNanos;

		// set once right after registration
		private volatile @Nullable ScheduledFuture<?> check;

		// watchdog thread only
		private long lastSequence = -1;

		private long lastChangeNanos;

		// written by the watchdog thread, read by any thread: 0 when the loop is idle
		private volatile long runningSinceNanos;

		private volatile boolean stalled;

		private volatile @Nullable Instant stalledSince;

		private volatile StackTraceElement[] stallStackTrace = new StackTraceElement[0];

		Monitor(EventLoop loop) {
			this.loop = loop;
			this.thresholdNanos = loop.stallThreshold().toNanos();
		}

		void check() {
			try {
				long now = System.nanoTime();
				long sequence = this.loop.runSequence();
				boolean busy = this.loop.busy();
				if (!busy || sequence != this.lastSequence) {
					this.lastSequence = sequence;
					this.lastChangeNanos = now;
					this.runningSinceNanos = busy ? now : 0;
					if (this.stalled) {
						this.stalled = false;
						this.stalledSince = null;
						this.stallStackTrace = new StackTraceElement[0];
						logger.log(Level.INFO, "Event loop '" + this.loop.name() + "' is no longer stalled");
					}
				}
				else if (!this.stalled && now - this.lastChangeNanos >= this.thresholdNanos) {
					StackTraceElement[] trace = this.loop.thread().getStackTrace();
					this.stallStackTrace = trace;
					this.stalledSince = Instant.now().minusNanos(now - this.lastChangeNanos);
					this.stalled = true;
					Throwable where = new Throwable("Stack of event loop '" + this.loop.name() + "'");
					where.setStackTrace(trace);
					logger.log(Level.WARNING,
							"Event loop '" + this.loop.name() + "' is stalled: one task has run for " + "more than "
									+ this.loop.stallThreshold().toMillis() + " ms. Move blocking work off "
									+ "the loop with AsyncContext.offload.",
							where);
				}
				if (this.stalled && this.loop.state() == LoopState.SHUTTING_DOWN
						&& now - this.loop.shutdownDeadline() > 0) {
					this.loop.forceTerminate(this.stallStackTrace);
				}
			}
			catch (RuntimeException ex) {
				logger.log(Level.ERROR, "Watchdog check of event loop '" + this.loop.name() + "' failed", ex);
			}
		}

		void terminated() {
			ScheduledFuture<?> check = this.check;
			if (check != null) {
				check.cancel(false);
			}
			this.runningSinceNanos = 0;
			this.stalled = false;
			this.stalledSince = null;
		}

		boolean stalled() {
			return this.stalled;
		}

		@Nullable Instant stalledSince() {
			return this.stalledSince;
		}

		StackTraceElement[] stallStackTrace() {
			return this.stallStackTrace;
		}

		Duration runningFor() {
			long since = this.runningSinceNanos;
			return (since == 0) ? Duration.ZERO : Duration.ofNanos(Math.max(0, System.nanoTime() - since));
		}

	}

}
