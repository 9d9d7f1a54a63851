package dev.eventloop;

import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.jspecify.annotations.Nullable;

/**
 * The loop thread's side of an {@link EventLoop}: the run loop (a batch of queued tasks,
 * a round of due timers, the lag probe, parking when idle), the drain at shutdown, and
 * the sweep that abandons what is left once the loop has terminated.
 *
 * <p>
 * Everything here runs on the loop thread, except {@link #wakeUp()} (producers),
 * {@link #forceTerminate(StackTraceElement[])} (the watchdog) and {@link #sweep()}
 * (whoever races with termination), which take the sweep lock where they consume the
 * queue.
 */
final class LoopRunner {

	private static final System.Logger logger = System.getLogger(EventLoop.class.getName());

	/** Tasks run between two looks at the timers, and timers run in one round at most. */
	private static final int BATCH_SIZE = 1024;

	private static final VarHandle PARKED;

	static {
		try {
			PARKED = MethodHandles.lookup().findVarHandle(LoopRunner.class, "parked", int.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final EventLoop loop;

	private final TaskQueue queue;

	private final LoopCounters counters;

	private final LagProbe probe;

	private final LoopTimers timers;

	private final Ticker ticker;

	private final IdleStrategy idleStrategy;

	// the spin budget of an ADAPTIVE loop, null for the other strategies; loop thread
	// only but for its hint to waiting threads
	private final @Nullable AdaptiveSpin adaptive;

	// 1 while the loop thread is (about to be) parked; the first producer to CAS it to 0
	// unparks the thread, so a busy loop is never woken
	private volatile int parked;

	// what an idle spin waits for; allocated once
	private final BooleanSupplier hasWorkOrStopping = this::hasWorkOrStopping;

	// loop thread only: what killed it, if its own machinery failed
	private LoopStats.@Nullable Death death;

	// serialises every consumer of the queue other than the running loop thread
	private final Object sweepLock = new Object();

	LoopRunner(EventLoop loop, TaskQueue queue, LoopCounters counters, LagProbe probe, LoopTimers timers) {
		this.loop = loop;
		this.queue = queue;
		this.counters = counters;
		this.probe = probe;
		this.timers = timers;
		this.ticker = loop.ticker();
		this.idleStrategy = loop.settings().idleStrategy();
		this.adaptive = (this.idleStrategy == IdleStrategy.ADAPTIVE) ? new AdaptiveSpin() : null;
	}

	/**
	 * Return a new future for a task of this loop: one that spins before blocking when
	 * the loop spins when idle (any thread).
	 */
	<T extends @Nullable Object> LoopFuture<T> newFuture() {
		return switch (this.idleStrategy) {
			case PARK -> new LoopFuture<>();
			case SPIN_THEN_PARK -> new SpinningLoopFuture<>(null);
			case ADAPTIVE -> new SpinningLoopFuture<>(this.adaptive);
		};
	}

	/**
	 * Unpark the loop thread if it is parked (any thread).
	 */
	void wakeUp() {
		if (this.parked != 0 && PARKED.compareAndSet(this, 1, 0)) {
			LockSupport.unpark(this.loop.thread());
		}
	}

	/**
	 * The body of the loop thread.
	 */
	void run() {
		assert this.loop.inLoop();
		try {
			this.probe.start(this.ticker.nanoTime());
			while (this.loop.isRunning()) {
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
			logger.log(Level.ERROR, "Event loop '" + this.loop.name() + "' died; its queued tasks are abandoned",
					fatal);
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
				runTask(task);
			}
			ran++;
		}
		while (ran < BATCH_SIZE && this.loop.isRunning() && (task = this.queue.relaxedPoll()) != null);
		if (this.adaptive != null) {
			this.adaptive.ran(ran);
		}
		this.probe.busyFor(this.ticker.nanoTime() - start);
		this.counters.busy(false);
		return true;
	}

	/**
	 * Run one task, count its outcome, and deliver it to its future or, for a failure of
	 * a task without one, to the uncaught-exception handler.
	 */
	void runTask(Runnable task) {
		this.counters.taskStarting();
		LoopTask loopTask = (task instanceof LoopTask candidate) ? candidate : null;
		try {
			if (loopTask != null) {
				loopTask.execute();
			}
			else {
				task.run();
			}
		}
		catch (Throwable ex) {
			this.counters.failedOne();
			onTaskFailure(task, ex);
			return;
		}
		finally {
			if (Thread.interrupted()) {
				logger.log(Level.DEBUG,
						"Cleared the interrupt flag left by a task on event loop '" + this.loop.name() + "'");
			}
		}
		if (!(task instanceof InternalTask)) {
			this.counters.completedOne();
		}
		if (loopTask != null) {
			loopTask.deliver();
		}
	}

	/**
	 * Hand a task's failure to its future or to the uncaught-exception handler. Whatever
	 * the task threw, an {@link Error} included, the loop runs on: the JVM survived it,
	 * and so does the loop.
	 */
	void onTaskFailure(@Nullable Runnable task, Throwable ex) {
		try {
			if (task instanceof LoopTask loopTask) {
				loopTask.fail(ex);
			}
			else {
				this.loop.settings().uncaughtExceptionHandler().uncaughtException(this.loop.thread(), ex);
			}
		}
		catch (Throwable handlerFailure) {
			logger.log(Level.ERROR, "Uncaught-exception handler of event loop '" + this.loop.name() + "' failed",
					handlerFailure);
		}
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
	 * loop: parked for want of work, it runs a new task at once.
	 */
	private void idle() {
		if (this.idleStrategy == IdleStrategy.SPIN_THEN_PARK && Spin.until(this.hasWorkOrStopping)) {
			return;
		}
		if (this.adaptive != null && spinAdaptively(this.adaptive)) {
			return;
		}
		// volatile write, then re-check: a producer either sees 1 or we see its task
		this.parked = 1;
		if (!this.queue.isEmpty() || !this.loop.isRunning()) {
			this.parked = 0;
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
		this.parked = 0;
		this.probe.afterIdle(this.ticker.nanoTime());
	}

	/**
	 * Spin for the adaptive budget, but not past the next timer: its round must not start
	 * late because the loop spun.
	 * @return whether work came (or the loop is stopping) within the spin
	 */
	private boolean spinAdaptively(AdaptiveSpin adaptive) {
		assert this.loop.inLoop();
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
		return !this.queue.isEmpty() || !this.loop.isRunning();
	}

	/**
	 * Run queued tasks until the queue is empty, the deadline passes, or the watchdog
	 * terminated the loop. Every poll is made under sweepLock after checking the state,
	 * so that the loop thread and a sweeper are never both consumers of the queue.
	 */
	private void drainUntilDeadline() {
		long deadline = this.loop.shutdownDeadline();
		while (true) {
			Runnable task;
			synchronized (this.sweepLock) {
				if (this.loop.state() == LoopState.TERMINATED || this.ticker.nanoTime() - deadline > 0) {
					return;
				}
				task = this.queue.poll();
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
			runTask(task);
			this.counters.busy(false);
		}
	}

	private void terminate() {
		this.timers.cancelAll();
		this.loop.markTerminated(false);
		int count = sweep();
		if (count > 0) {
			logger.log(Level.WARNING, "Event loop '" + this.loop.name() + "' abandoned " + count
					+ " queued tasks that did not run before its shutdown timeout; their futures completed exceptionally");
		}
		this.parked = 0;
		this.loop.terminated(this.death);
	}

	/**
	 * Terminate a loop whose thread is stuck in one task after its shutdown deadline.
	 * Called by the watchdog only once it has seen the task stalled, so the loop thread
	 * is inside that task and not polling the queue or changing its timers (which it no
	 * longer accepts); when the task returns, the loop thread sees TERMINATED and polls
	 * no more.
	 */
	void forceTerminate(StackTraceElement[] stuckAt) {
		if (!this.loop.markTerminated(true)) {
			return;
		}
		Throwable where = new Throwable("Stack of the stuck task");
		where.setStackTrace(stuckAt);
		int timers = this.timers.cancelAllFromElsewhere();
		int count = sweep();
		logger.log(Level.ERROR, "Event loop '" + this.loop.name() + "' did not finish a task before its shutdown "
				+ "timeout; terminated without it. " + count + " queued tasks were abandoned and " + timers
				+ " pending timers cancelled; their futures completed exceptionally. The stuck task is still running "
				+ "on thread '" + this.loop.thread().getName() + "'.", where);
		this.loop.thread().interrupt();
		this.loop.terminated(null);
	}

	/**
	 * Abandon everything still queued. Only after TERMINATED, and under sweepLock, so
	 * that there is one consumer at a time.
	 * @return how many user tasks were abandoned
	 */
	int sweep() {
		int count = 0;
		synchronized (this.sweepLock) {
			RejectedExecutionException cause = null;
			Runnable task;
			while ((task = this.queue.poll()) != null) {
				if (task instanceof LoopTask loopTask) {
					if (cause == null) {
						cause = new RejectedExecutionException("Event loop '" + this.loop.name()
								+ "' shut down before this task ran (the shutdown timeout ran out). "
								+ "Raise the shutdown timeout, or stop submitting work earlier.");
					}
					loopTask.abandon(cause);
				}
				if (!(task instanceof InternalTask)) {
					count++;
				}
			}
		}
		this.counters.abandoned(count);
		return count;
	}

}
