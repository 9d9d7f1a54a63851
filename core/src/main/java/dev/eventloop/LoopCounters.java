package dev.eventloop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;

/**
 * The live counts and readings of one loop, cheap to read from any thread: each getter
 * reads a few fields, so meters can poll them as often as they like (a {@link LoopStats}
 * snapshot also sorts lag samples and copies a stack trace). Counts are cumulative since
 * the loop started; {@link LoopStats} explains the accounting.
 *
 * @since 0.1.0
 */
public final class LoopCounters {

	private static final VarHandle COMPLETED;

	private static final VarHandle FAILED;

	private static final VarHandle INLINE;

	private static final VarHandle LOCAL_SCHEDULED;

	private static final VarHandle RUN_SEQUENCE;

	private static final VarHandle BUSY;

	static {
		try {
			MethodHandles.Lookup lookup = MethodHandles.lookup();
			COMPLETED = lookup.findVarHandle(LoopCounters.class, "completed", long.class);
			FAILED = lookup.findVarHandle(LoopCounters.class, "failed", long.class);
			INLINE = lookup.findVarHandle(LoopCounters.class, "inline", long.class);
			LOCAL_SCHEDULED = lookup.findVarHandle(LoopCounters.class, "localScheduled", long.class);
			RUN_SEQUENCE = lookup.findVarHandle(LoopCounters.class, "runSequence", long.class);
			BUSY = lookup.findVarHandle(LoopCounters.class, "busy", int.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final Ticker ticker;

	private final LoopLifecycle lifecycle;

	private final LagProbe probe;

	// the queue and the watchdog's monitor, which count into these counters and so are
	// created after them: set once by the loop's constructor, before the loop is
	// published, then only read (by any thread)
	private TaskQueue queue;

	private Watchdog.Monitor monitor;

	// written by the loop thread only (opaque stores), read by any thread
	private long completed;

	private long failed;

	private long inline;

	private long localScheduled;

	// the number of tasks the loop has started, and whether one is running now: what the
	// watchdog looks at
	private long runSequence;

	private int busy;

	// any thread
	private final LongAdder rejected = new LongAdder();

	private final LongAdder abandoned = new LongAdder();

	private final LongAdder blockingViolations = new LongAdder();

	@SuppressWarnings("NullAway.Init")
	LoopCounters(Ticker ticker, LoopLifecycle lifecycle, LagProbe probe) {
		this.ticker = ticker;
		this.lifecycle = lifecycle;
		this.probe = probe;
	}

	/**
	 * Complete the counters with the parts whose readings they report: called once, by
	 * the loop's constructor.
	 */
	void readFrom(TaskQueue queue, Watchdog.Monitor monitor) {
		this.queue = queue;
		this.monitor = monitor;
	}

	/**
	 * Return how many tasks were accepted into the loop's queue or timers.
	 * @return the submitted count
	 */
	public long submitted() {
		return this.queue.userOffered() + (long) LOCAL_SCHEDULED.getOpaque(this);
	}

	/**
	 * Return how many tasks {@link AsyncContext} ran inline on the loop.
	 * @return the inline count
	 */
	public long inline() {
		return (long) INLINE.getOpaque(this);
	}

	/**
	 * Return how many task runs returned normally.
	 * @return the completed count
	 */
	public long completed() {
		return (long) COMPLETED.getOpaque(this);
	}

	/**
	 * Return how many task runs threw, inline runs included.
	 * @return the failed count
	 */
	public long failed() {
		return (long) FAILED.getOpaque(this);
	}

	/**
	 * Return how many tasks were refused because the queue was full or the loop was shut
	 * down.
	 * @return the rejected count
	 */
	public long rejected() {
		return this.rejected.sum();
	}

	/**
	 * Return how many accepted tasks never ran because the loop shut down first.
	 * @return the abandoned count
	 */
	public long abandoned() {
		return this.abandoned.sum();
	}

	/**
	 * Return how many times code on the loop blocked under {@link BlockingPolicy#WARN}.
	 * @return the blocking-violation count
	 */
	public long blockingViolations() {
		return this.blockingViolations.sum();
	}

	/**
	 * Return how many tasks wait in the loop's queue now.
	 * @return the queue size
	 */
	public int queueSize() {
		return this.queue.size();
	}

	LoopStats.Tasks snapshot() {
		return new LoopStats.Tasks(submitted(), inline(), completed(), failed(), rejected(), abandoned(),
				blockingViolations());
	}

	/**
	 * Return the share of wall time the loop spent running tasks over the last probe
	 * interval, as {@link LoopStats#utilization()} reports it.
	 * @return the utilisation, from 0 to 1
	 */
	public double utilization() {
		long now = this.ticker.nanoTime();
		return this.probe.utilization(now, this.lifecycle.isRunning(), this.monitor.runningForNanos(now));
	}

	/**
	 * Return whether a task holds the loop past its stall threshold or keeps it waiting,
	 * as {@link LoopStats.Stall#stalled()} reports it.
	 * @return {@code true} while the loop is stalled
	 */
	public boolean stalled() {
		return this.monitor.stalled();
	}

	// ---- written by the loop thread only

	void completedOne() {
		COMPLETED.setOpaque(this, this.completed + 1);
	}

	void failedOne() {
		FAILED.setOpaque(this, this.failed + 1);
	}

	void inlineOne() {
		INLINE.setOpaque(this, this.inline + 1);
	}

	void scheduledOnLoop() {
		LOCAL_SCHEDULED.setOpaque(this, this.localScheduled + 1);
	}

	void taskStarting() {
		RUN_SEQUENCE.setOpaque(this, this.runSequence + 1);
	}

	void busy(boolean busy) {
		BUSY.setOpaque(this, busy ? 1 : 0);
	}

	// ---- any thread

	void rejectedOne() {
		this.rejected.increment();
	}

	void abandoned(int count) {
		this.abandoned.add(count);
	}

	void blockingViolation() {
		this.blockingViolations.increment();
	}

	long runSequence() {
		return (long) RUN_SEQUENCE.getOpaque(this);
	}

	/**
	 * Return whether the loop is running tasks or timers now (a reading that may be stale
	 * by the time it is used).
	 * @return {@code true} while the loop thread is busy
	 */
	public boolean running() {
		return (int) BUSY.getOpaque(this) != 0;
	}

}
