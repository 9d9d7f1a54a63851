package dev.eventloop;

import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * The timers of one loop: scheduling from any thread, and, on the loop thread, arming,
 * running due timers in bounded rounds, cancelling and purging. Timers scheduled from
 * other threads travel through the task queue and are armed when the loop takes them.
 *
 * <p>
 * The heap is owned by the loop thread; the only other reader is the watchdog when it
 * terminates a loop stuck in one task ({@link #cancelAllFromElsewhere()}).
 */
final class LoopTimers implements Ticker.TimedLoop {

	private static final System.Logger logger = System.getLogger(EventLoop.class.getName());

	/** Timers cancelled from other threads that make a purge of the heap worthwhile. */
	private static final int PURGE_THRESHOLD = 64;

	private static final VarHandle CANCELLED_ELSEWHERE;

	private static final VarHandle PURGE_REQUESTED;

	static {
		try {
			MethodHandles.Lookup lookup = MethodHandles.lookup();
			CANCELLED_ELSEWHERE = lookup.findVarHandle(LoopTimers.class, "cancelledElsewhere", int.class);
			PURGE_REQUESTED = lookup.findVarHandle(LoopTimers.class, "purgeRequested", int.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	// the loop these timers belong to: what the ticker sees (TimedLoop.loop()), and
	// what tells a caller on another loop from one on this loop; never called back
	private final EventLoop loop;

	private final String loopName;

	private final long lagThresholdNanos;

	private final Ticker ticker;

	private final LoopLifecycle lifecycle;

	private final LoopThread thread;

	private final TaskQueue queue;

	private final LoopCounters counters;

	private final TaskRunner tasks;

	private final LagProbe probe;

	// loop thread only (see the class comment for the one exception)
	private final TimerQueue heap = new TimerQueue();

	// any thread: timers cancelled off the loop since
	// the last purge, and whether a purge is queued
	private volatile int cancelledElsewhere;

	private volatile int purgeRequested;

	private final PurgeTimers purge = new PurgeTimers();

	LoopTimers(EventLoop loop, String loopName, long lagThresholdNanos, Ticker ticker, LoopLifecycle lifecycle,
			LoopThread thread, TaskQueue queue, LoopCounters counters, TaskRunner tasks, LagProbe probe) {
		this.loop = loop;
		this.loopName = loopName;
		this.lagThresholdNanos = lagThresholdNanos;
		this.ticker = ticker;
		this.lifecycle = lifecycle;
		this.thread = thread;
		this.queue = queue;
		this.counters = counters;
		this.tasks = tasks;
		this.probe = probe;
	}

	/**
	 * Schedule a task (any thread).
	 * @param periodNanos zero for a one-shot task, positive for a fixed rate, negative
	 * for a fixed delay
	 */
	LoopFuture<Void> schedule(Runnable task, Duration delay, long periodNanos) {
		Objects.requireNonNull(delay, "delay must not be null");
		if (delay.isNegative()) {
			throw new IllegalArgumentException("delay must not be negative, but was " + delay);
		}
		long deadline = this.ticker.nanoTime() + saturatedNanos(delay);
		EventLoop caller = EventLoop.currentOrNull();
		ScheduledTask scheduled = new ScheduledTask(this.loop, task, deadline, periodNanos,
				(caller != this.loop) ? caller : null);
		if (!this.thread.isCurrent()) {
			try {
				this.queue.enqueue(scheduled); // armed by the loop when it takes it
			}
			catch (RejectedExecutionException ex) {
				return LoopFuture.failed(ex);
			}
			return scheduled.future;
		}
		if (!this.lifecycle.acceptsTasks()) {
			return LoopFuture.failed(this.queue.rejectedBecauseShutdown());
		}
		this.counters.scheduledOnLoop();
		this.heap.add(scheduled);
		return scheduled.future;
	}

	/**
	 * Arm a timer that came through the task queue, unless it was cancelled on the way.
	 */
	void arm(ScheduledTask scheduled) {
		assert this.thread.isCurrent();
		if (!scheduled.future.isDone()) {
			this.heap.add(scheduled);
		}
	}

	boolean anyDue(long now) {
		ScheduledTask next = this.heap.peek();
		return next != null && next.deadlineNanos - now <= 0;
	}

	/**
	 * Return how long until the next timer is due: zero or less if one is due, and
	 * {@link Long#MAX_VALUE} when there is none.
	 */
	long nanosUntilNext(long now) {
		ScheduledTask next = this.heap.peek();
		return (next != null) ? next.deadlineNanos - now : Long.MAX_VALUE;
	}

	/**
	 * Run one round: the timers due at {@code now}, each at most once and at most
	 * {@code limit} of them, so that a periodic task that owes several runs makes one per
	 * round and the queued tasks run in between.
	 */
	int runRound(long now, int limit) {
		assert this.thread.isCurrent();
		long armedBefore = this.heap.nextSequence();
		int runs = 0;
		for (int ran = 0; ran < limit && this.lifecycle.isRunning(); ran++) {
			ScheduledTask next = this.heap.peek();
			if (next == null || next.deadlineNanos - now > 0 || next.sequence >= armedBefore) {
				break;
			}
			this.heap.poll();
			if (next.future.isDone()) {
				continue;
			}
			this.probe.timerRanLate(now - next.deadlineNanos);
			this.tasks.runTask(next);
			runs++;
			if (next.isPeriodic() && !next.future.isDone()) {
				if (next.periodNanos > 0) {
					next.deadlineNanos += next.periodNanos;
					reportIfBehind(next, now);
				}
				else {
					next.deadlineNanos = this.ticker.nanoTime() - next.periodNanos;
				}
				this.heap.add(next);
			}
		}
		int cancelled = (runs > 0) ? this.cancelledElsewhere : 0;
		if (cancelled > 0) {
			// the heap shrank: timers cancelled elsewhere may now be worth a purge
			requestPurgeIfWorthwhile(cancelled);
		}
		return runs;
	}

	private void reportIfBehind(ScheduledTask periodic, long now) {
		long behind = now - periodic.deadlineNanos;
		if (!periodic.reportedBehind && behind > this.lagThresholdNanos) {
			periodic.reportedBehind = true;
			logger.log(Level.WARNING,
					"Periodic task " + periodic.task() + " on event loop '" + this.loopName
							+ "' runs longer than its period of " + Duration.ofNanos(periodic.periodNanos) + " and is "
							+ Duration.ofNanos(behind) + " behind. It makes one owed run per timer round, between "
							+ "queued tasks; lengthen its period or make it faster.");
		}
	}

	/**
	 * A timer's future was cancelled: on the loop thread the timer leaves the heap now;
	 * cancellations from other threads are purged in bulk once they add up to a quarter
	 * of the heap and to at least 64 (so fewer than that may stay until their deadline,
	 * or until later cancellations trigger a purge).
	 */
	void cancelled(ScheduledTask timer) {
		if (this.thread.isCurrent()) {
			this.heap.remove(timer);
			return;
		}
		int cancelled = (int) CANCELLED_ELSEWHERE.getAndAdd(this, 1) + 1;
		requestPurgeIfWorthwhile(cancelled);
	}

	// any thread. While a purge is queued or running, cancelling threads leave the
	// decision to it: it checks the count again once the heap has shrunk (a count
	// taken during its scan is judged against the heap it is shrinking)
	private void requestPurgeIfWorthwhile(int cancelled) {
		if (cancelled >= Math.max(PURGE_THRESHOLD, this.heap.size() / 4) && this.purgeRequested == 0
				&& PURGE_REQUESTED.compareAndSet(this, 0, 1)) {
			try {
				this.queue.enqueueInternal(this.purge);
			}
			catch (RejectedExecutionException ex) {
				// terminated: its timers were cancelled with it
			}
		}
	}

	/**
	 * Cancel every pending timer at shutdown.
	 */
	void cancelAll() {
		assert this.thread.isCurrent();
		int cancelled = 0;
		while (this.heap.peek() != null) {
			if (cancelAtShutdown(this.heap.poll())) {
				cancelled++;
			}
		}
		if (cancelled > 0) {
			logger.log(Level.DEBUG, "Event loop '" + this.loopName + "' cancelled " + cancelled + " pending timers");
		}
	}

	/**
	 * Cancel the pending timers of a loop whose thread is stuck in one task, from the
	 * watchdog's thread. The heap stays as it is; the loop thread drops the cancelled
	 * timers if the task ever returns.
	 * @return how many timers were cancelled
	 */
	int cancelAllFromElsewhere() {
		int[] cancelled = new int[1];
		this.heap.forEachPending((timer) -> {
			if (cancelAtShutdown(timer)) {
				cancelled[0]++;
			}
		});
		return cancelled[0];
	}

	/**
	 * Cancel a timer that the shutdown reached before it was due. One that never ran is
	 * an accepted task abandoned by the shutdown, and counted as such.
	 * @return whether the timer was still pending
	 */
	boolean cancelAtShutdown(ScheduledTask timer) {
		if (!timer.cancelAtShutdown(this.loopName)) {
			return false;
		}
		if (!timer.hasRun()) {
			this.counters.abandoned(1);
		}
		return true;
	}

	int size() {
		return this.heap.size();
	}

	@Override
	public EventLoop loop() {
		return this.loop;
	}

	@Override
	public OptionalLong nextTimerDue() {
		return this.heap.firstDeadline();
	}

	@Override
	public CompletableFuture<Integer> runDueTimers() {
		DueTimers task = new DueTimers();
		try {
			this.queue.enqueueInternal(task);
		}
		catch (RejectedExecutionException ex) {
			task.done.completeExceptionally(ex);
		}
		return task.done.copy();
	}

	static long positiveNanos(Duration duration, String name) {
		Objects.requireNonNull(duration, () -> name + " must not be null");
		if (duration.isNegative() || duration.isZero()) {
			throw new IllegalArgumentException(name + " must be positive, but was " + duration);
		}
		return saturatedNanos(duration);
	}

	static long saturatedNanos(Duration duration) {
		try {
			return Math.min(duration.toNanos(), Long.MAX_VALUE / 2);
		}
		catch (ArithmeticException ex) {
			return Long.MAX_VALUE / 2;
		}
	}

	/**
	 * Runs the timers due at the ticker's current time, round after round until none is
	 * due, for a ticker that moves time by hand.
	 */
	private final class DueTimers extends InternalTask {

		private final CompletableFuture<Integer> done = new CompletableFuture<>();

		// loop thread only
		private int runs;

		@Override
		public void execute() {
			Ticker ticker = LoopTimers.this.ticker;
			long now = ticker.nanoTime();
			while (LoopTimers.this.lifecycle.isRunning() && anyDue(now)) {
				this.runs += runRound(now, Integer.MAX_VALUE);
				now = ticker.nanoTime();
			}
		}

		@Override
		public void deliver() {
			this.done.complete(this.runs);
		}

		@Override
		public void fail(Throwable failure) {
			this.done.completeExceptionally(failure);
		}

		@Override
		public void abandon(RejectedExecutionException cause) {
			this.done.completeExceptionally(cause);
		}

	}

	/**
	 * Drops the timers cancelled from other threads out of the heap, so that cancelled
	 * long timers do not hold memory until their deadline.
	 */
	private final class PurgeTimers extends InternalTask {

		@Override
		public void execute() {
			// counted from here on: cancellations the scan below may or may not see
			CANCELLED_ELSEWHERE.setVolatile(LoopTimers.this, 0);
			LoopTimers.this.heap.purgeDone();
			// a cancelling thread that saw this purge pending counted itself before
			// this write, so the check below sees its count against the shrunk heap
			PURGE_REQUESTED.setVolatile(LoopTimers.this, 0);
			requestPurgeIfWorthwhile((int) CANCELLED_ELSEWHERE.getVolatile(LoopTimers.this));
		}

		@Override
		public void deliver() {
		}

		@Override
		public void fail(Throwable failure) {
			logger.log(Level.ERROR, "Purging cancelled timers of event loop '" + LoopTimers.this.loopName + "' failed",
					failure);
		}

		@Override
		public void abandon(RejectedExecutionException cause) {
		}

	}

}
