package dev.eventloop;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongConsumer;

/**
 * The scheduling-lag probe and utilisation of one loop, as Node's
 * {@code monitorEventLoopDelay} and {@code eventLoopUtilization}: every probe interval
 * the loop records how late it got round to the probe (and to its user timers since the
 * last probe), and the share of the interval it spent busy.
 *
 * <p>
 * Written by the loop thread only; read by any thread through the volatile fields and the
 * lag samples. An idle loop is not probed: parked for want of work, it runs new work at
 * once, so it has no lag to measure.
 */
final class LagProbe {

	private static final System.Logger logger = System.getLogger(EventLoop.class.getName());

	private final String loopName;

	private final long intervalNanos;

	// loop thread only: busy time in total and at the last probe, when the last probe
	// ran, and the worst lateness of a user timer since
	private long busyNanos;

	private long busyNanosAtProbe;

	private long probeAt;

	private long timerLatenessNanos;

	// written by the loop thread, read by any thread
	private volatile double utilization;

	// when the probe is next due: read by snapshots so that a loop stuck in one task
	// shows its growing lag before the probe can run again
	private volatile long dueNanos;

	// set just before the loop parks for want of work (0 while it is not idle), with the
	// busy time of the current interval, so that utilisation falls while it sleeps
	private volatile long idleSinceNanos;

	private volatile long idleWindowStartNanos;

	private volatile long idleWindowBusyNanos;

	private final LagRing samples = new LagRing();

	private final List<LongConsumer> listeners = new CopyOnWriteArrayList<>();

	LagProbe(String loopName, Duration interval) {
		this.loopName = loopName;
		this.intervalNanos = interval.toNanos();
	}

	void start(long now) {
		this.probeAt = now;
		this.dueNanos = now + this.intervalNanos;
	}

	boolean isDue(long now) {
		return this.dueNanos - now <= 0;
	}

	void busyFor(long nanos) {
		this.busyNanos += nanos;
	}

	void timerRanLate(long latenessNanos) {
		this.timerLatenessNanos = Math.max(this.timerLatenessNanos, latenessNanos);
	}

	/**
	 * Record one sample: how late the loop ran timers (the probe itself, and user timers
	 * since the last probe), and the share of time spent busy since the previous probe.
	 */
	void run(long now) {
		long lagNanos = Math.max(Math.max(0, now - this.dueNanos), this.timerLatenessNanos);
		this.timerLatenessNanos = 0;
		this.samples.record(lagNanos);
		for (LongConsumer listener : this.listeners) {
			try {
				listener.accept(lagNanos);
			}
			catch (Throwable ex) {
				logger.log(Level.WARNING, "Lag listener of event loop '" + this.loopName + "' failed", ex);
			}
		}
		long wall = now - this.probeAt;
		if (wall > 0) {
			this.utilization = Math.min(1.0, (double) (this.busyNanos - this.busyNanosAtProbe) / wall);
		}
		this.probeAt = now;
		this.busyNanosAtProbe = this.busyNanos;
		this.dueNanos = now + this.intervalNanos;
	}

	void beforeIdle(long now) {
		this.idleWindowStartNanos = this.probeAt;
		this.idleWindowBusyNanos = this.busyNanos - this.busyNanosAtProbe;
		this.idleSinceNanos = now;
	}

	void afterIdle(long now) {
		if (this.dueNanos - now < 0) {
			this.dueNanos = now; // probe now: no lag accrued while idle
		}
		this.idleSinceNanos = 0;
	}

	void addListener(LongConsumer listener) {
		this.listeners.add(listener);
	}

	void removeListener(LongConsumer listener) {
		this.listeners.remove(listener);
	}

	/**
	 * Return the lag as it stands for a reader on any thread: the recent samples, and,
	 * while the loop is running and not idle, the lateness of the probe so far (it cannot
	 * run while a task holds the loop). An idle loop has no current lag.
	 */
	LoopStats.Lag lag(long now, boolean running, long lagThresholdNanos) {
		long[] percentiles = this.samples.percentiles(0.5, 0.99, 1.0);
		long last = this.samples.last();
		if (running) {
			if (this.idleSinceNanos != 0) {
				last = 0;
			}
			else {
				long overdue = now - this.dueNanos;
				if (overdue > last) {
					last = overdue;
					percentiles[1] = Math.max(percentiles[1], overdue);
					percentiles[2] = Math.max(percentiles[2], overdue);
				}
			}
		}
		return new LoopStats.Lag(Duration.ofNanos(last), Duration.ofNanos(percentiles[0]),
				Duration.ofNanos(percentiles[1]), Duration.ofNanos(percentiles[2]),
				running && last > lagThresholdNanos);
	}

	/**
	 * Return the utilisation as it stands for a reader on any thread: the last probe's,
	 * falling while the loop is idle, and 1 while one task has held a running loop for a
	 * whole interval.
	 */
	double utilization(long now, boolean running, Duration runningFor) {
		return utilization(now, running, runningFor.toNanos());
	}

	double utilization(long now, boolean running, long runningForNanos) {
		double utilization = this.utilization;
		if (!running) {
			return utilization;
		}
		if (this.idleSinceNanos != 0) {
			long window = now - this.idleWindowStartNanos;
			return (window > 0) ? Math.min(1.0, (double) this.idleWindowBusyNanos / window) : utilization;
		}
		return (runningForNanos >= this.intervalNanos) ? 1.0 : utilization;
	}

}
