package dev.eventloop;

import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.jspecify.annotations.Nullable;

/**
 * The loop thread's side of an {@link EventLoop}: the run loop (a batch of queued tasks,
 * a round of due timers, the lag probe, parking when idle), the drain at shutdown, and
 * termination, with the {@link TaskQueue#sweep() sweep} that abandons what is left.
 *
 * <p>
 * Everything here runs on the loop thread, except {@link #newTask} (any thread).
 * Producers wake the loop through its {@link LoopThread}; the queue's sweep and the
 * watchdog's forced termination take the queue's sweep lock where they consume it.
 */
final class LoopRunner {

	private static final System.Logger logger = System.getLogger(EventLoop.class.getName());

	/** Tasks run between two looks at the timers, and timers run in one round at most. */
	private static final int BATCH_SIZE = 1024;

	private final String loopName;

	private final LoopLifecycle lifecycle;

	private final LoopThread thread;

	private final TaskQueue queue;

	private final LoopCounters counters;

	private final LagProbe probe;

	private final LoopTimers timers;

	private final TaskRunner tasks;

	private final Watchdog.Monitor monitor;

	private final Ticker ticker;

	private final IdleStrategy idleStrategy;

	// the spin budget of an ADAPTIVE loop, null for the other strategies; loop thread
	// only but for its hint to waiting threads
	private final @Nullable AdaptiveSpin adaptive;

	// what an idle spin waits for; allocated once
	private final BooleanSupplier hasWorkOrStopping = this::hasWorkOrStopping;

	// loop thread only: what killed it, if its own machinery failed
	private LoopStats.@Nullable Death death;

	LoopRunner(String loopName, IdleStrategy idleStrategy, Ticker ticker, LoopLifecycle lifecycle, LoopThread thread,
			TaskQueue queue, LoopCounters counters, LagProbe probe, LoopTimers timers, TaskRunner tasks,
			Watchdog.Monitor monitor) {
		this.loopName = loopName;
		this.lifecycle = lifecycle;
		this.thread = thread;
		this.queue = queue;
		this.counters = counters;
		this.probe = probe;
		this.timers = timers;
		this.tasks = tasks;
		this.monitor = monitor;
		this.ticker = ticker;
		this.idleStrategy = idleStrategy;
		this.adaptive = (this.idleStrategy == IdleStrategy.ADAPTIVE) ? new AdaptiveSpin() : null;
	}

	/**
	 * Return a new task of this loop, which is its own future: one that spins before
	 * blocking when the loop spins when idle (any thread).
	 * @param home where to complete the future (see {@link SubmittedTask})
	 */
	<T extends @Nullable Object> SubmittedTask<T> newTask(Callable<T> callable, @Nullable EventLoop home) {
		return switch (this.idleStrategy) {
			case PARK -> new SubmittedTask<>(callable, home);
			case SPIN_THEN_PARK -> new SpinningLoopFuture<>(callable, home, null);
			case ADAPTIVE -> new SpinningLoopFuture<>(callable, home, this.adaptive);
		};
	}

	/**
	 * The body of the loop thread.
	 */
	void run() {
		assert this.thread.isCurrent();
		try {
			this.probe.start(this.ticker.nanoTime());
			while (this.lifecycle.isRunning()) {
				boolean worked = runBatch();
				worked |= runDueTimers();
				if (!worked) {
					idle();
				}
			}
			this.timers.cancelAll();
			drainUntilDeadline();
		}
		catch (Throwable fatal) {
			// only a failure of the loop's own machinery gets here: tasks' failures are
			// caught where they run
			this.death = new LoopStats.Death(fatal, Instant.now());
			logger.log(Level.ERROR, "Event loop '" + this.loopName + "' died; its queued tasks are abandoned", fatal);
		}
		finally {
			terminate();
		}
	}

	private boolean runBatch() {
		Runnable task = this.queue.poll();
		if (task == null) {
			return false;
		}
		this.counters.busy(true);
		long start = this.ticker.nanoTime();
		int ran = 0;
		do {
			if (task instanceof ScheduledTask scheduled) {
				this.timers.arm(scheduled);
			}
			else {
				this.tasks.runTask(task);
			}
			ran++;
		}
		while (ran < BATCH_SIZE && this.lifecycle.isRunning() && (task = this.queue.relaxedPoll()) != null);
		if (this.adaptive != null) {
			this.adaptive.ran(ran);
		}
		this.probe.busyFor(this.ticker.nanoTime() - start);
		this.counters.busy(false);
		return true;
	}

	/**
	 * Run one round of due timers, and the lag probe when it is due.
	 * @return whether anything was due
	 */
	private boolean runDueTimers() {
		long now = this.ticker.nanoTime();
		boolean timerDue = this.timers.anyDue(now);
		boolean probeDue = this.probe.isDue(now);
		if (!timerDue && !probeDue) {
			return false;
		}
		if (timerDue) {
			this.counters.busy(true);
			this.timers.runRound(now, BATCH_SIZE);
			this.probe.busyFor(this.ticker.nanoTime() - now);
			this.counters.busy(false);
		}
		if (probeDue) {
			// the probe's own few nanoseconds do not count as work
			this.probe.run(now);
		}
		return true;
	}

	/**
	 * Wait for work, until the next timer is due. The lag probe does not wake an idle
	 * loop: parked for want of work, it runs a new task at once. A {@code PARK} loop
	 * first spins for less time than a wake-up costs: work handed over in quick
	 * succession (a batch of hops, a stream of completions) then finds it awake, and
	 * neither the producer's unpark nor the loop's own wake-up is paid for each item.
	 */
	private void idle() {
		if (this.idleStrategy == IdleStrategy.PARK && Spin.until(this.hasWorkOrStopping, Spin.BEFORE_PARK_NANOS)) {
			return;
		}
		if (this.idleStrategy == IdleStrategy.SPIN_THEN_PARK && Spin.until(this.hasWorkOrStopping)) {
			return;
		}
		if (this.adaptive != null && spinAdaptively(this.adaptive)) {
			return;
		}
		// volatile write, then re-check: a producer either sees 1 or we see its task
		this.thread.parked = 1;
		if (!this.queue.isEmpty() || !this.lifecycle.isRunning()) {
			this.thread.parked = 0;
			return;
		}
		long now = this.ticker.nanoTime();
		this.probe.beforeIdle(now);
		long untilNextTimer = this.timers.nanosUntilNext(now);
		if (untilNextTimer == Long.MAX_VALUE) {
			LockSupport.park(this);
		}
		else if (untilNextTimer > 0) {
			LockSupport.parkNanos(this, untilNextTimer);
		}
		this.thread.parked = 0;
		this.probe.afterIdle(this.ticker.nanoTime());
	}

	/**
	 * Spin for the adaptive budget, but not past the next timer: its round must not start
	 * late because the loop spun.
	 * @return whether work came (or the loop is stopping) within the spin
	 */
	private boolean spinAdaptively(AdaptiveSpin adaptive) {
		assert this.thread.isCurrent();
		long budget = adaptive.idleStarts(System.nanoTime());
		if (budget == 0) {
			return false;
		}
		long untilNextTimer = this.timers.nanosUntilNext(this.ticker.nanoTime());
		if (Spin.until(this.hasWorkOrStopping, Math.min(budget, untilNextTimer))) {
			return true;
		}
		adaptive.spinRanOut();
		return false;
	}

	private boolean hasWorkOrStopping() {
		return !this.queue.isEmpty() || !this.lifecycle.isRunning();
	}

	/**
	 * Run queued tasks until the queue is empty, the deadline passes, or the watchdog
	 * terminated the loop. Every poll is made under the queue's sweep lock after checking
	 * the state, so that the loop thread and a sweeper are never both consumers of it.
	 */
	private void drainUntilDeadline() {
		long deadline = this.lifecycle.shutdownDeadline();
		while (true) {
			Runnable task = this.queue.pollToDrain(deadline);
			if (task == TaskQueue.DRAIN_OVER) {
				return;
			}
			if (task == null) {
				if (this.queue.isEmpty()) {
					return;
				}
				continue; // a producer has claimed a slot but not yet filled it
			}
			if (task instanceof ScheduledTask scheduled) {
				this.timers.cancelAtShutdown(scheduled);
				continue;
			}
			this.counters.busy(true);
			this.tasks.runTask(task);
			this.counters.busy(false);
		}
	}

	private void terminate() {
		this.timers.cancelAll();
		this.lifecycle.markTerminated(false);
		int count = this.queue.sweep();
		if (count > 0) {
			logger.log(Level.WARNING, "Event loop '" + this.loopName + "' abandoned " + count
					+ " queued tasks that did not run before its shutdown timeout; their futures completed exceptionally");
		}
		this.thread.parked = 0;
		this.monitor.loopTerminated(this.death);
	}

}
