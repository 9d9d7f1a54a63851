package dev.eventloop;

import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

import org.jctools.queues.MpscUnboundedXaddArrayQueue;
import org.jspecify.annotations.Nullable;

/**
 * One event loop: a single platform thread that runs tasks one at a time, in submission
 * order, from a multi-producer queue, and owns the timers scheduled on it. State touched
 * only by tasks of one loop needs no locks.
 *
 * <p>
 * An {@code EventLoop} is an {@link EventLoopGroup} of one. Create one with
 * {@link #builder(String)}; it is started when returned. A task that throws never kills
 * the loop, whatever it throws (an {@link Error} included): the failure completes the
 * task's future exceptionally, or, for {@link #execute(Runnable)}, goes to the loop's
 * uncaught-exception handler. Both are counted in {@link #stats()}.
 *
 * <p>
 * Shutdown ({@link #shutdownGracefully(Duration)}) rejects new tasks at once, cancels
 * pending timers, and runs what is queued until the timeout; whatever is still queued
 * then is abandoned: each pending future completes exceptionally with a
 * {@link RejectedExecutionException}, and the count is logged and reported in
 * {@link LoopStats#abandoned()}. Nothing is dropped silently.
 *
 * @since 0.1.0
 */
public final class EventLoop implements EventLoopGroup, Executor {

	private static final System.Logger logger = System.getLogger(EventLoop.class.getName());

	private static final int ST_NEW = 0;

	private static final int ST_RUNNING = 1;

	private static final int ST_SHUTTING_DOWN = 2;

	private static final int ST_TERMINATED = 3;

	private static final LoopState[] STATES = LoopState.values();

	/** Tasks run between two looks at the timers, and timers run in one round at most. */
	private static final int BATCH_SIZE = 1024;

	/** Timers cancelled from other threads that make a purge of the heap worthwhile. */
	private static final int PURGE_THRESHOLD = 1024;

	private static final VarHandle STATE;

	private static final VarHandle PARKED;

	private static final VarHandle PENDING;

	private static final VarHandle COMPLETED;

	private static final VarHandle FAILED;

	private static final VarHandle INLINE;

	private static final VarHandle LOCAL_SCHEDULED;

	private static final VarHandle RUN_SEQUENCE;

	private static final VarHandle BUSY;

	private static final VarHandle CANCELLED_ELSEWHERE;

	private static final VarHandle PURGE_REQUESTED;

	static {
		try {
			MethodHandles.Lookup lookup = MethodHandles.lookup();
			STATE = lookup.findVarHandle(EventLoop.class, "state", int.class);
			PARKED = lookup.findVarHandle(EventLoop.class, "parked", int.class);
			PENDING = lookup.findVarHandle(EventLoop.class, "pending", int.class);
			COMPLETED = lookup.findVarHandle(EventLoop.class, "completed", long.class);
			FAILED = lookup.findVarHandle(EventLoop.class, "failed", long.class);
			INLINE = lookup.findVarHandle(EventLoop.class, "inline", long.class);
			LOCAL_SCHEDULED = lookup.findVarHandle(EventLoop.class, "localScheduled", long.class);
			RUN_SEQUENCE = lookup.findVarHandle(EventLoop.class, "runSequence", long.class);
			BUSY = lookup.findVarHandle(EventLoop.class, "busy", int.class);
			CANCELLED_ELSEWHERE = lookup.findVarHandle(EventLoop.class, "cancelledElsewhere", int.class);
			PURGE_REQUESTED = lookup.findVarHandle(EventLoop.class, "purgeRequested", int.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final String name;

	private final EventLoopGroup group;

	private final LoopSettings settings;

	private final LoopThread thread;

	// producers: any thread; consumer: the loop thread, or after termination whoever
	// holds sweepLock. User tasks and internal ones (completion hops) share it, so that
	// tasks from one producer run in the order they were queued.
	private final MpscUnboundedXaddArrayQueue<Runnable> queue;

	// the bound on queued user tasks, zero when unbounded
	private final int capacity;

	// any thread: user tasks queued and not yet taken by the loop, counted only when the
	// queue is bounded (producers reserve a place by CAS, the consumer frees it).
	// Internal
	// tasks do not count, so that a full queue never refuses a completion hop.
	private volatile int pending;

	// any thread: moves forward only (NEW -> RUNNING -> SHUTTING_DOWN -> TERMINATED), by
	// CAS or under lifecycleLock
	private volatile int state;

	// 1 while the loop thread is (about to be) parked; the first producer to CAS it to 0
	// unparks the thread, so a busy loop is never woken
	private volatile int parked;

	// written by the loop thread only (opaque stores), read by any thread
	private long completed;

	private long failed;

	private long inline;

	private long localScheduled;

	private long runSequence;

	private int busy;

	// busy-time accounting and utilisation: written by the loop thread only
	private long busyNanos;

	private long busyNanosAtProbe;

	private long probeAt;

	// the latest lateness of a user timer since the last probe: loop thread only
	private long timerLatenessNanos;

	private volatile double utilization;

	// when the lag probe is next due: written by the loop thread, read by stats() so that
	// a loop stuck in one task shows its growing lag before the probe can run again
	private volatile long probeDueNanos;

	// written by the loop thread just before it parks for want of work (0 while it is
	// not idle), with the busy time of the current probe interval: an idle loop has no
	// lag, and its utilisation falls while it sleeps
	private volatile long idleSinceNanos;

	private volatile long idleWindowStartNanos;

	private volatile long idleWindowBusyNanos;

	// any thread
	private final LongAdder rejected = new LongAdder();

	private final LongAdder abandoned = new LongAdder();

	private final LongAdder blockingViolations = new LongAdder();

	// internal tasks (completion hops) that went through the queue, subtracted from the
	// producer index to count user submissions
	private final LongAdder internalEnqueued = new LongAdder();

	// loop thread only (see TimerQueue for the one exception)
	private final TimerQueue timers = new TimerQueue();

	// any thread: timers cancelled off the loop since the last purge, and whether a
	// purge is queued
	private volatile int cancelledElsewhere;

	private volatile int purgeRequested;

	private final PurgeTimers purgeTimers = new PurgeTimers();

	private final LagRing lag = new LagRing();

	// what an idle spin waits for; allocated once
	private final BooleanSupplier hasWorkOrStopping = this::hasWorkOrStopping;

	private final List<LongConsumer> lagListeners = new CopyOnWriteArrayList<>();

	private final Watchdog.Monitor monitor;

	private final CompletableFuture<Void> terminationFuture = new CompletableFuture<>();

	// guards the start of shutdown, so that the deadline is published with the state
	private final Object lifecycleLock = new Object();

	// written under lifecycleLock before the state moves to SHUTTING_DOWN
	private volatile long shutdownDeadline;

	// serialises every consumer of the queue other than the running loop thread
	private final Object sweepLock = new Object();

	// written once by the loop thread when it dies, read by any thread
	private volatile @Nullable Throwable deathCause;

	private volatile @Nullable Instant diedAt;

	EventLoop(String name, LoopSettings settings, @Nullable EventLoopGroup group) {
		this.name = name;
		this.settings = settings;
		this.group = (group != null) ? group : this;
		this.capacity = settings.queueCapacity();
		this.queue = new MpscUnboundedXaddArrayQueue<>(1024, 4);
		this.thread = new LoopThread(this, settings.daemon(), settings.blockingPolicy() != BlockingPolicy.FAIL);
		this.probeDueNanos = System.nanoTime() + settings.lagProbeInterval().toNanos();
		this.monitor = new Watchdog.Monitor(this);
	}

	/**
	 * Start the loop thread and put the loop under the watchdog. Called once, by the
	 * builder that created the loop.
	 */
	void start() {
		STATE.setVolatile(this, ST_RUNNING);
		this.thread.start();
		Watchdog.INSTANCE.watch(this.monitor);
	}

	/**
	 * Create a builder for a single loop.
	 * @param name the loop name, also its thread name
	 * @return a new builder
	 */
	public static Builder builder(String name) {
		return new Builder(name);
	}

	/**
	 * Return the loop whose thread is calling, if any.
	 * @return the current loop, or empty when the caller is not on an event-loop thread
	 */
	public static Optional<EventLoop> current() {
		return Optional.ofNullable(currentOrNull());
	}

	static @Nullable EventLoop currentOrNull() {
		Thread thread = Thread.currentThread();
		return (thread instanceof LoopThread loopThread) ? loopThread.loop : null;
	}

	@Override
	public String name() {
		return this.name;
	}

	/**
	 * Return the group this loop belongs to: the group that created it, or itself for a
	 * standalone loop.
	 * @return the owning group
	 */
	public EventLoopGroup group() {
		return this.group;
	}

	@Override
	public int size() {
		return 1;
	}

	@Override
	public List<EventLoop> loops() {
		return List.of(this);
	}

	@Override
	public EventLoop next() {
		return this;
	}

	@Override
	public EventLoop forKey(Object key) {
		Objects.requireNonNull(key, () -> "Affinity key for event loop '" + this.name + "' must not be null");
		return this;
	}

	/**
	 * Return whether the calling thread is this loop's thread.
	 * @return {@code true} when called from a task of this loop
	 */
	public boolean inLoop() {
		return Thread.currentThread() == this.thread;
	}

	/**
	 * Return the lifecycle state.
	 * @return the current state
	 */
	public LoopState state() {
		return STATES[this.state];
	}

	/**
	 * Return the loop's blocking policy.
	 * @return the policy applied when code on this loop blocks on an unfinished result
	 */
	public BlockingPolicy blockingPolicy() {
		return this.settings.blockingPolicy();
	}

	/**
	 * Return the configured stall threshold.
	 * @return how long one task may run before the loop is reported stalled
	 */
	public Duration stallThreshold() {
		return this.settings.stallThreshold();
	}

	/**
	 * Queue a task to run on this loop. Failures go to the loop's uncaught-exception
	 * handler.
	 * @param task the task
	 * @throws RejectedExecutionException if the loop is shutting down or terminated, or
	 * its bounded queue is full
	 */
	@Override
	public void execute(Runnable task) {
		Objects.requireNonNull(task, "task must not be null");
		enqueue(task);
	}

	/**
	 * Queue a task to run on this loop and return its future. A caller on another loop
	 * gets the future completed on its own loop. A task that cannot be accepted returns a
	 * future that has already failed with a {@link RejectedExecutionException}.
	 * @param <T> the result type
	 * @param task the task
	 * @return the future of the task's result
	 */
	public <T extends @Nullable Object> LoopFuture<T> submit(Callable<T> task) {
		Objects.requireNonNull(task, "task must not be null");
		EventLoop caller = currentOrNull();
		return submit(task, (caller != this) ? caller : null);
	}

	/**
	 * Submit with an explicit home loop on which to complete the future (null: complete
	 * on this loop's thread).
	 */
	<T extends @Nullable Object> LoopFuture<T> submit(Callable<T> task, @Nullable EventLoop home) {
		LoopFuture<T> future = newFuture();
		try {
			enqueue(new SubmittedTask<>(task, future, home, false));
		}
		catch (RejectedExecutionException ex) {
			future.completeExceptionally(ex);
		}
		return future;
	}

	/**
	 * Queue, from this loop's own thread, a task that could not run inline. Until it has
	 * run, later inline dispatches on this loop are queued behind it too, so that work
	 * dispatched in one order runs in that order. Loop thread only.
	 */
	<T extends @Nullable Object> LoopFuture<T> submitDeferred(Callable<T> task) {
		assert inLoop();
		LoopFuture<T> future = newFuture();
		try {
			enqueue(new SubmittedTask<>(task, future, null, true));
			this.thread.deferredInline++;
		}
		catch (RejectedExecutionException ex) {
			future.completeExceptionally(ex);
		}
		return future;
	}

	/**
	 * {@link #execute(Runnable)} from this loop's own thread for a task that could not
	 * run inline, with the ordering of {@link #submitDeferred(Callable)}. Loop thread
	 * only.
	 */
	void executeDeferred(Runnable task) {
		assert inLoop();
		LoopThread thread = this.thread;
		enqueue(() -> {
			thread.deferredInline--;
			task.run();
		});
		thread.deferredInline++;
	}

	private <T extends @Nullable Object> LoopFuture<T> newFuture() {
		return (this.settings.idleStrategy() == IdleStrategy.SPIN_THEN_PARK) ? new SpinningLoopFuture<>()
				: new LoopFuture<>();
	}

	/**
	 * Run a task once on this loop after a delay. Cancel the returned future to cancel
	 * the task; it completes when the task has run.
	 * @param task the task
	 * @param delay the delay, zero or positive
	 * @return the future of the scheduled run
	 */
	public LoopFuture<Void> schedule(Runnable task, Duration delay) {
		Objects.requireNonNull(task, "task must not be null");
		return scheduleTask(task, delay, 0);
	}

	/**
	 * Run a task on this loop at a fixed rate, first after the initial delay. The
	 * returned future never completes normally: cancel it to stop the task. If one run
	 * throws, the future completes with that failure and the task stops. Pending runs
	 * stop at shutdown. A task that runs longer than its period starts late; the runs it
	 * owes are made one per timer round, between the queued tasks, and a task that falls
	 * behind by more than the loop's lag threshold is logged (its lateness shows in the
	 * loop's lag).
	 * @param task the task
	 * @param initialDelay the delay before the first run, zero or positive
	 * @param period the time between the starts of two runs, positive
	 * @return the future that controls the periodic task
	 */
	public LoopFuture<Void> scheduleAtFixedRate(Runnable task, Duration initialDelay, Duration period) {
		Objects.requireNonNull(task, "task must not be null");
		Objects.requireNonNull(period, "period must not be null");
		if (period.isNegative() || period.isZero()) {
			throw new IllegalArgumentException("period must be positive, but was " + period);
		}
		return scheduleTask(task, initialDelay, period.toNanos());
	}

	private LoopFuture<Void> scheduleTask(Runnable task, Duration delay, long periodNanos) {
		Objects.requireNonNull(delay, "delay must not be null");
		if (delay.isNegative()) {
			throw new IllegalArgumentException("delay must not be negative, but was " + delay);
		}
		long deadline = System.nanoTime() + saturatedNanos(delay);
		ScheduledTask scheduled = new ScheduledTask(this, task, deadline, periodNanos);
		if (inLoop()) {
			if (this.state >= ST_SHUTTING_DOWN) {
				this.rejected.increment();
				return LoopFuture.failed(rejectedBecauseShutdown());
			}
			LOCAL_SCHEDULED.setOpaque(this, this.localScheduled + 1);
			this.timers.add(scheduled);
			return scheduled.future;
		}
		try {
			enqueue(scheduled); // armed by the loop when it takes it from the queue
		}
		catch (RejectedExecutionException ex) {
			return LoopFuture.failed(ex);
		}
		return scheduled.future;
	}

	/**
	 * Return a snapshot of the loop's counters and health.
	 * @return the current statistics
	 */
	public LoopStats stats() {
		long[] percentiles = this.lag.percentiles(0.5, 0.99, 1.0);
		long last = this.lag.last();
		Watchdog.Monitor monitor = this.monitor;
		Duration runningFor = monitor.runningFor();
		double utilization = this.utilization;
		if (this.state == ST_RUNNING) {
			long now = System.nanoTime();
			long idleSince = this.idleSinceNanos;
			if (idleSince != 0) {
				// parked for want of work: no lag, and utilisation falls while it sleeps
				last = 0;
				long window = now - this.idleWindowStartNanos;
				if (window > 0) {
					utilization = Math.min(1.0, (double) this.idleWindowBusyNanos / window);
				}
			}
			else {
				// the probe cannot run while a task holds the loop: count its lateness so
				// far
				long overdue = now - this.probeDueNanos;
				if (overdue > last) {
					last = overdue;
					percentiles[1] = Math.max(percentiles[1], overdue);
					percentiles[2] = Math.max(percentiles[2], overdue);
				}
				if (runningFor.compareTo(this.settings.lagProbeInterval()) >= 0) {
					utilization = 1.0;
				}
			}
		}
		boolean stalled = monitor.stalled();
		List<StackTraceElement> trace = stalled ? List.of(monitor.stallStackTrace()) : List.of();
		long submitted = this.queue.currentProducerIndex() - this.internalEnqueued.sum()
				+ (long) LOCAL_SCHEDULED.getOpaque(this);
		boolean lagging = this.state == ST_RUNNING && last > this.settings.lagThreshold().toNanos();
		return new LoopStats(this.name, this.group.name(), state(), submitted, (long) INLINE.getOpaque(this),
				(long) COMPLETED.getOpaque(this), (long) FAILED.getOpaque(this), this.rejected.sum(),
				this.abandoned.sum(), this.blockingViolations.sum(), this.queue.size(), this.capacity,
				Duration.ofNanos(last), Duration.ofNanos(percentiles[0]), Duration.ofNanos(percentiles[1]),
				Duration.ofNanos(percentiles[2]), utilization, runningFor, stalled, monitor.blocked(),
				monitor.stalledSince(), trace, lagging, this.deathCause, this.diedAt);
	}

	/**
	 * Add a listener that receives every lag sample of the probe, in nanoseconds, on the
	 * loop thread. Listeners must be fast and must not block; one that throws is logged
	 * and does not affect the loop or the other listeners.
	 * @param listener the listener
	 */
	public void addLagListener(LongConsumer listener) {
		this.lagListeners.add(Objects.requireNonNull(listener, "listener must not be null"));
	}

	/**
	 * Remove a listener added by {@link #addLagListener(LongConsumer)}.
	 * @param listener the listener
	 */
	public void removeLagListener(LongConsumer listener) {
		this.lagListeners.remove(listener);
	}

	/**
	 * Begin an orderly shutdown. New tasks are rejected at once and pending timers are
	 * cancelled; queued tasks run until the timeout. Tasks still queued after it are
	 * abandoned: their futures complete exceptionally and their count is logged and
	 * reported. If a task is stuck past the timeout, the loop is terminated without it
	 * once the watchdog sees it stalled, and the stuck task's stack is logged.
	 * @param timeout the drain budget, zero or positive
	 * @return a future completed when the loop has terminated
	 */
	@Override
	public CompletableFuture<Void> shutdownGracefully(Duration timeout) {
		Objects.requireNonNull(timeout, "timeout must not be null");
		synchronized (this.lifecycleLock) {
			if (this.state < ST_SHUTTING_DOWN) {
				long nanos = timeout.isNegative() ? 0 : saturatedNanos(timeout);
				this.shutdownDeadline = System.nanoTime() + nanos;
				this.state = ST_SHUTTING_DOWN;
			}
		}
		wakeUp();
		return this.terminationFuture.copy();
	}

	/**
	 * Return a future completed when the loop has terminated.
	 * @return the termination future
	 */
	public CompletableFuture<Void> terminationFuture() {
		return this.terminationFuture.copy();
	}

	private static long saturatedNanos(Duration duration) {
		try {
			return Math.min(duration.toNanos(), Long.MAX_VALUE / 2);
		}
		catch (ArithmeticException ex) {
			return Long.MAX_VALUE / 2;
		}
	}

	// ---- called from AsyncContext, LoopFuture, timers and the watchdog (same package)

	/**
	 * Queue internal work (a completion hop, a timer purge). Not counted as a user task,
	 * and accepted whatever the queue's bound, until the loop has terminated.
	 * @throws RejectedExecutionException once the loop has terminated
	 */
	void executeInternal(InternalTask task) {
		if (this.state == ST_TERMINATED) {
			throw new RejectedExecutionException("Event loop '" + this.name + "' has terminated");
		}
		this.internalEnqueued.increment();
		this.queue.offer(task);
		afterOffer();
	}

	/**
	 * Count one inline run. Loop thread only.
	 */
	void recordInline() {
		assert inLoop();
		INLINE.setOpaque(this, this.inline + 1);
	}

	/**
	 * Count a failure of work run inline on this loop. Loop thread only.
	 */
	void recordInlineFailure() {
		assert inLoop();
		FAILED.setOpaque(this, this.failed + 1);
	}

	/**
	 * Report a failure of work run inline on this loop without a future: counted, and
	 * handed to the uncaught-exception handler. Loop thread only.
	 */
	void reportUncaught(Throwable ex) {
		assert inLoop();
		FAILED.setOpaque(this, this.failed + 1);
		onTaskFailure(null, ex);
	}

	void recordBlockingViolation() {
		this.blockingViolations.increment();
	}

	/**
	 * A timer's future was cancelled: on the loop thread the timer leaves the heap now;
	 * cancellations from other threads are purged in bulk once they add up.
	 */
	void timerCancelled(ScheduledTask timer) {
		if (inLoop()) {
			this.timers.remove(timer);
			return;
		}
		int cancelled = (int) CANCELLED_ELSEWHERE.getAndAdd(this, 1) + 1;
		if (cancelled >= Math.max(PURGE_THRESHOLD, this.timers.size() / 4) && this.purgeRequested == 0
				&& PURGE_REQUESTED.compareAndSet(this, 0, 1)) {
			try {
				executeInternal(this.purgeTimers);
			}
			catch (RejectedExecutionException ex) {
				// terminated: its timers were cancelled with it
			}
		}
	}

	int pendingTimers() {
		return this.timers.size();
	}

	LoopThread thread() {
		return this.thread;
	}

	LoopSettings settings() {
		return this.settings;
	}

	long runSequence() {
		return (long) RUN_SEQUENCE.getOpaque(this);
	}

	boolean busy() {
		return (int) BUSY.getOpaque(this) != 0;
	}

	long shutdownDeadline() {
		return this.shutdownDeadline;
	}

	// ---- submission (any thread)

	private void enqueue(Runnable task) {
		if (this.state >= ST_SHUTTING_DOWN) {
			this.rejected.increment();
			throw rejectedBecauseShutdown();
		}
		if (this.capacity != 0 && !reserve()) {
			this.rejected.increment();
			throw new RejectedExecutionException("Event loop '" + this.name + "' rejected a task: its queue is full ("
					+ this.capacity + " tasks). Slow down the producers, raise the queue capacity, "
					+ "or set a submit timeout so that producers wait for space.");
		}
		this.queue.offer(task);
		afterOffer();
	}

	private void afterOffer() {
		if (this.state == ST_TERMINATED) {
			// raced with termination after its final sweep: sweep again so that this task
			// is abandoned rather than stranded
			sweep();
		}
		else if (!inLoop()) {
			wakeUp();
		}
	}

	/**
	 * Reserve a place for one user task in a bounded queue, waiting up to the submit
	 * timeout if the caller is not a loop thread.
	 */
	private boolean reserve() {
		if (tryReserve()) {
			return true;
		}
		long waitNanos = this.settings.submitTimeout().toNanos();
		if (waitNanos == 0 || currentOrNull() != null) {
			return false; // loop threads never wait for another loop's queue
		}
		long deadline = System.nanoTime() + waitNanos;
		while (this.state < ST_SHUTTING_DOWN) {
			wakeUp();
			LockSupport.parkNanos(this, 20_000);
			if (tryReserve()) {
				return true;
			}
			if (System.nanoTime() - deadline >= 0) {
				return false;
			}
		}
		this.rejected.increment();
		throw rejectedBecauseShutdown();
	}

	private boolean tryReserve() {
		int queued;
		do {
			queued = this.pending;
			if (queued >= this.capacity) {
				return false;
			}
		}
		while (!PENDING.compareAndSet(this, queued, queued + 1));
		return true;
	}

	/**
	 * The loop (or a sweeper) took a task from the queue: a user task frees its place.
	 */
	private void taken(Runnable task) {
		if (this.capacity != 0 && !(task instanceof InternalTask)) {
			PENDING.getAndAdd(this, -1);
		}
	}

	private RejectedExecutionException rejectedBecauseShutdown() {
		return new RejectedExecutionException("Event loop '" + this.name + "' is " + state()
				+ " and accepts no new tasks. Submit work before the application shuts down, "
				+ "or check EventLoop.state() first.");
	}

	private void wakeUp() {
		if (this.parked != 0 && PARKED.compareAndSet(this, 1, 0)) {
			LockSupport.unpark(this.thread);
		}
	}

	// ---- the loop (loop thread only)

	void runLoop() {
		assert inLoop();
		try {
			this.probeAt = System.nanoTime();
			this.probeDueNanos = this.probeAt + this.settings.lagProbeInterval().toNanos();
			while (this.state == ST_RUNNING) {
				boolean worked = runBatch();
				worked |= runDueTimers();
				if (!worked) {
					idle();
				}
			}
			cancelTimers();
			drainUntilDeadline();
		}
		catch (Throwable fatal) {
			// only a failure of the loop's own machinery gets here: tasks' failures are
			// caught where they run
			this.diedAt = Instant.now();
			this.deathCause = fatal;
			logger.log(Level.ERROR, "Event loop '" + this.name + "' died; its queued tasks are abandoned", fatal);
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
		BUSY.setOpaque(this, 1);
		long start = System.nanoTime();
		int ran = 0;
		do {
			taken(task);
			runQueued(task);
			ran++;
		}
		while (ran < BATCH_SIZE && this.state == ST_RUNNING && (task = this.queue.relaxedPoll()) != null);
		this.busyNanos += System.nanoTime() - start;
		BUSY.setOpaque(this, 0);
		return true;
	}

	private void runQueued(Runnable task) {
		if (task instanceof ScheduledTask scheduled) {
			if (!scheduled.future.isDone()) {
				this.timers.add(scheduled);
			}
		}
		else {
			runTask(task);
		}
	}

	private void runTask(Runnable task) {
		RUN_SEQUENCE.setOpaque(this, this.runSequence + 1);
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
			FAILED.setOpaque(this, this.failed + 1);
			onTaskFailure(task, ex);
			return;
		}
		finally {
			if (Thread.interrupted()) {
				logger.log(Level.DEBUG, "Cleared the interrupt flag left by a task on event loop '" + this.name + "'");
			}
		}
		if (!(task instanceof InternalTask)) {
			COMPLETED.setOpaque(this, this.completed + 1);
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
	private void onTaskFailure(@Nullable Runnable task, Throwable ex) {
		try {
			if (task instanceof LoopTask loopTask) {
				loopTask.fail(ex);
			}
			else {
				this.settings.uncaughtExceptionHandler().uncaughtException(this.thread, ex);
			}
		}
		catch (Throwable handlerFailure) {
			logger.log(Level.ERROR, "Uncaught-exception handler of event loop '" + this.name + "' failed",
					handlerFailure);
		}
	}

	/**
	 * Run the timers that are due, and the lag probe when it is due.
	 * @return whether anything was due
	 */
	private boolean runDueTimers() {
		long now = System.nanoTime();
		ScheduledTask next = this.timers.peek();
		boolean timerDue = next != null && next.deadlineNanos - now <= 0;
		boolean probeDue = this.probeDueNanos - now <= 0;
		if (!timerDue && !probeDue) {
			return false;
		}
		BUSY.setOpaque(this, 1);
		if (timerDue) {
			runTimers(now);
		}
		if (probeDue) {
			probe(now);
		}
		this.busyNanos += System.nanoTime() - now;
		BUSY.setOpaque(this, 0);
		return true;
	}

	/**
	 * One round of timers: those due at {@code now}, each at most once and at most a
	 * batch of them, so that a periodic task that owes several runs makes one per round
	 * and the queued tasks run in between.
	 */
	private void runTimers(long now) {
		assert inLoop();
		long armedBefore = this.timers.nextSequence();
		for (int ran = 0; ran < BATCH_SIZE && this.state == ST_RUNNING; ran++) {
			ScheduledTask next = this.timers.peek();
			if (next == null || next.deadlineNanos - now > 0 || next.sequence >= armedBefore) {
				return;
			}
			this.timers.poll();
			if (next.future.isDone()) {
				continue;
			}
			this.timerLatenessNanos = Math.max(this.timerLatenessNanos, now - next.deadlineNanos);
			runTask(next);
			if (next.isPeriodic() && !next.future.isDone()) {
				next.deadlineNanos += next.periodNanos;
				reportIfBehind(next, now);
				this.timers.add(next);
			}
		}
	}

	private void reportIfBehind(ScheduledTask periodic, long now) {
		long behind = now - periodic.deadlineNanos;
		if (!periodic.reportedBehind && behind > this.settings.lagThreshold().toNanos()) {
			periodic.reportedBehind = true;
			logger.log(Level.WARNING,
					"Periodic task " + periodic.task() + " on event loop '" + this.name + "' runs longer than its "
							+ "period of " + Duration.ofNanos(periodic.periodNanos) + " and is "
							+ Duration.ofNanos(behind)
							+ " behind. It makes one owed run per timer round, between queued tasks; lengthen its "
							+ "period or make it faster.");
		}
	}

	/**
	 * The lag probe: how late the loop ran timers (the probe itself, and user timers
	 * since the last probe), and the share of time spent busy since the previous probe.
	 */
	private void probe(long now) {
		assert inLoop();
		long lagNanos = Math.max(Math.max(0, now - this.probeDueNanos), this.timerLatenessNanos);
		this.timerLatenessNanos = 0;
		this.lag.record(lagNanos);
		for (LongConsumer listener : this.lagListeners) {
			try {
				listener.accept(lagNanos);
			}
			catch (Throwable ex) {
				logger.log(Level.WARNING, "Lag listener of event loop '" + this.name + "' failed", ex);
			}
		}
		long wall = now - this.probeAt;
		if (wall > 0) {
			this.utilization = Math.min(1.0, (double) (this.busyNanos - this.busyNanosAtProbe) / wall);
		}
		this.probeAt = now;
		this.busyNanosAtProbe = this.busyNanos;
		this.probeDueNanos = now + this.settings.lagProbeInterval().toNanos();
	}

	/**
	 * Wait for work. The lag probe does not wake an idle loop: a loop parked for want of
	 * work runs a new task at once, so it has no lag to measure.
	 */
	private void idle() {
		if (this.settings.idleStrategy() == IdleStrategy.SPIN_THEN_PARK && Spin.until(this.hasWorkOrStopping)) {
			return;
		}
		this.parked = 1; // volatile write, then re-check: a producer either sees 1 or we
							// see its task
		if (!this.queue.isEmpty() || this.state != ST_RUNNING) {
			this.parked = 0;
			return;
		}
		long now = System.nanoTime();
		this.idleWindowStartNanos = this.probeAt;
		this.idleWindowBusyNanos = this.busyNanos - this.busyNanosAtProbe;
		this.idleSinceNanos = now;
		ScheduledTask next = this.timers.peek();
		if (next == null) {
			LockSupport.park(this);
		}
		else {
			long delay = next.deadlineNanos - now;
			if (delay > 0) {
				LockSupport.parkNanos(this, delay);
			}
		}
		this.parked = 0;
		long woke = System.nanoTime();
		if (this.probeDueNanos - woke < 0) {
			this.probeDueNanos = woke; // probe now: no lag accrued while idle
		}
		this.idleSinceNanos = 0;
	}

	private boolean hasWorkOrStopping() {
		return !this.queue.isEmpty() || this.state != ST_RUNNING;
	}

	private void cancelTimers() {
		int cancelled = 0;
		ScheduledTask timer;
		while ((timer = this.timers.peek()) != null) {
			this.timers.poll();
			if (cancelAtShutdown(timer)) {
				cancelled++;
			}
		}
		if (cancelled > 0) {
			logger.log(Level.DEBUG, "Event loop '" + this.name + "' cancelled " + cancelled + " pending timers");
		}
	}

	/**
	 * Run queued tasks until the queue is empty, the deadline passes, or the watchdog
	 * terminated the loop. Every poll is made under sweepLock after checking the state,
	 * so that the loop thread and a sweeper are never both consumers of the queue.
	 */
	private void drainUntilDeadline() {
		long deadline = this.shutdownDeadline;
		while (true) {
			Runnable task;
			synchronized (this.sweepLock) {
				if (this.state == ST_TERMINATED || System.nanoTime() - deadline > 0) {
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
			taken(task);
			if (task instanceof ScheduledTask scheduled) {
				cancelAtShutdown(scheduled);
				continue;
			}
			BUSY.setOpaque(this, 1);
			runTask(task);
			BUSY.setOpaque(this, 0);
		}
	}

	/**
	 * Cancel a timer that the shutdown reached before it was due. One that never ran is
	 * an accepted task abandoned by the shutdown, and counted as such. Called by the loop
	 * thread, or by the watchdog for a loop stuck in one task.
	 * @return whether the timer was still pending
	 */
	private boolean cancelAtShutdown(ScheduledTask timer) {
		if (!timer.cancelAtShutdown(this.name)) {
			return false;
		}
		if (!timer.hasRun()) {
			this.abandoned.increment();
		}
		return true;
	}

	private void terminate() {
		cancelTimers();
		synchronized (this.lifecycleLock) {
			this.state = ST_TERMINATED;
		}
		int count = sweep();
		if (count > 0) {
			logger.log(Level.WARNING, "Event loop '" + this.name + "' abandoned " + count
					+ " queued tasks that did not run before its shutdown timeout; their futures completed exceptionally");
		}
		this.parked = 0;
		this.monitor.terminated();
		this.terminationFuture.complete(null);
	}

	/**
	 * Terminate a loop whose thread is stuck in one task after its shutdown deadline.
	 * Called by the watchdog only once it has seen the same task running for longer than
	 * the stall threshold, so the loop thread is inside that task and not polling the
	 * queue or changing its timers (which it no longer accepts); when the task returns,
	 * the loop thread sees TERMINATED and polls no more.
	 */
	void forceTerminate(StackTraceElement[] stuckAt) {
		synchronized (this.lifecycleLock) {
			if (this.state != ST_SHUTTING_DOWN) {
				return;
			}
			this.state = ST_TERMINATED;
		}
		Throwable where = new Throwable("Stack of the stuck task");
		where.setStackTrace(stuckAt);
		int[] timers = new int[1];
		this.timers.forEachPending((timer) -> {
			if (cancelAtShutdown(timer)) {
				timers[0]++;
			}
		});
		int count = sweep();
		logger.log(Level.ERROR, "Event loop '" + this.name + "' did not finish a task before its shutdown timeout; "
				+ "terminated without it. " + count + " queued tasks were abandoned and " + timers[0]
				+ " pending timers cancelled; their futures completed exceptionally. The stuck task is still running on thread '"
				+ this.thread.getName() + "'.", where);
		this.thread.interrupt();
		this.terminationFuture.complete(null);
	}

	/**
	 * Abandon everything still queued. Only after TERMINATED, and under sweepLock, so
	 * that there is one consumer at a time.
	 */
	private int sweep() {
		int count = 0;
		synchronized (this.sweepLock) {
			RejectedExecutionException cause = null;
			Runnable task;
			while ((task = this.queue.poll()) != null) {
				taken(task);
				if (task instanceof LoopTask loopTask) {
					if (cause == null) {
						cause = new RejectedExecutionException("Event loop '" + this.name
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
		this.abandoned.add(count);
		return count;
	}

	@Override
	public String toString() {
		return "EventLoop[" + this.name + ", " + state() + "]";
	}

	/**
	 * Drops the timers cancelled from other threads out of the heap, so that cancelled
	 * long timers do not hold memory until their deadline.
	 */
	private final class PurgeTimers extends InternalTask {

		@Override
		void execute() {
			PURGE_REQUESTED.setVolatile(EventLoop.this, 0);
			CANCELLED_ELSEWHERE.setVolatile(EventLoop.this, 0);
			EventLoop.this.timers.purgeDone();
		}

		@Override
		void deliver() {
		}

		@Override
		void fail(Throwable failure) {
			logger.log(Level.ERROR, "Purging cancelled timers of event loop '" + EventLoop.this.name + "' failed",
					failure);
		}

		@Override
		void abandon(RejectedExecutionException cause) {
		}

	}

	/**
	 * Builder of a single {@link EventLoop}.
	 *
	 * @since 0.1.0
	 */
	public static final class Builder extends LoopBuilder<Builder> {

		Builder(String name) {
			super(name);
		}

		/**
		 * Build and start the loop.
		 * @return the started loop
		 */
		public EventLoop build() {
			EventLoop loop = new EventLoop(name(), settings(), null);
			loop.start();
			return loop;
		}

	}

}
