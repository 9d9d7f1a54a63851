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
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

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
 * {@link LoopStats.Tasks#abandoned()}. Nothing is dropped silently.
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

	private static final VarHandle STATE;

	private static final VarHandle PARKED;

	static {
		try {
			MethodHandles.Lookup lookup = MethodHandles.lookup();
			STATE = lookup.findVarHandle(EventLoop.class, "state", int.class);
			PARKED = lookup.findVarHandle(EventLoop.class, "parked", int.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final String name;

	private final EventLoopGroup group;

	private final LoopSettings settings;

	private final Ticker ticker;

	private final LoopThread thread;

	private final TaskQueue queue;

	private final LoopCounters counters;

	private final LagProbe probe;

	private final LoopTimers timers;

	private final Watchdog.Monitor monitor;

	// any thread: moves forward only (NEW -> RUNNING -> SHUTTING_DOWN -> TERMINATED), by
	// CAS or under lifecycleLock
	private volatile int state;

	// 1 while the loop thread is (about to be) parked; the first producer to CAS it to 0
	// unparks the thread, so a busy loop is never woken
	private volatile int parked;

	// what an idle spin waits for; allocated once
	private final BooleanSupplier hasWorkOrStopping = this::hasWorkOrStopping;

	private final CompletableFuture<Void> terminationFuture = new CompletableFuture<>();

	// guards the start of shutdown, so that the deadline is published with the state
	private final Object lifecycleLock = new Object();

	// written under lifecycleLock before the state moves to SHUTTING_DOWN
	private volatile long shutdownDeadline;

	// serialises every consumer of the queue other than the running loop thread
	private final Object sweepLock = new Object();

	// written once by the loop thread when it dies, read by any thread
	private volatile LoopStats.@Nullable Death death;

	EventLoop(String name, LoopSettings settings, @Nullable EventLoopGroup group) {
		this.name = name;
		this.settings = settings;
		this.group = (group != null) ? group : this;
		this.ticker = settings.ticker();
		this.queue = new TaskQueue(settings.queueCapacity());
		this.counters = new LoopCounters(this.queue);
		this.probe = new LagProbe(name, settings.lagProbeInterval());
		this.probe.start(this.ticker.nanoTime());
		this.timers = new LoopTimers(this);
		this.thread = new LoopThread(this, settings.daemon(), settings.blockingPolicy() != BlockingPolicy.FAIL);
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
	 * Return the loop's source of time.
	 * @return the ticker every time-based behaviour of this loop reads
	 */
	public Ticker ticker() {
		return this.ticker;
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
	 * dispatched in one order runs in that order.
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
	 * run inline, ordered as {@link #submitDeferred(Callable)}.
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
	 * the task (cheaply: the timer leaves the loop's timer heap); it completes when the
	 * task has run.
	 * @param task the task
	 * @param delay the delay, zero or positive
	 * @return the future of the scheduled run
	 */
	public LoopFuture<Void> schedule(Runnable task, Duration delay) {
		Objects.requireNonNull(task, "task must not be null");
		return this.timers.schedule(task, delay, 0);
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
		return this.timers.schedule(task, initialDelay, LoopTimers.positiveNanos(period, "period"));
	}

	/**
	 * Run a task on this loop repeatedly, first after the initial delay, then each time
	 * the given delay after the previous run ended. The returned future behaves as that
	 * of {@link #scheduleAtFixedRate(Runnable, Duration, Duration)}.
	 * @param task the task
	 * @param initialDelay the delay before the first run, zero or positive
	 * @param delay the time between the end of one run and the start of the next,
	 * positive
	 * @return the future that controls the periodic task
	 */
	public LoopFuture<Void> scheduleWithFixedDelay(Runnable task, Duration initialDelay, Duration delay) {
		Objects.requireNonNull(task, "task must not be null");
		return this.timers.schedule(task, initialDelay, -LoopTimers.positiveNanos(delay, "delay"));
	}

	/**
	 * Return a snapshot of the loop's counters and health.
	 * @return the current statistics
	 */
	public LoopStats stats() {
		long now = this.ticker.nanoTime();
		boolean running = this.state == ST_RUNNING;
		LoopCounters counters = this.counters;
		LoopStats.Tasks tasks = new LoopStats.Tasks(counters.submitted(), counters.inline(), counters.completed(),
				counters.failed(), counters.rejected(), counters.abandoned(), counters.blockingViolations());
		LoopStats.Stall stall = this.monitor.snapshot(now);
		return new LoopStats(this.name, this.group.name(), state(), tasks,
				new LoopStats.Queue(this.queue.size(), this.queue.capacity()),
				this.probe.lag(now, running, this.settings.lagThreshold().toNanos()),
				this.probe.utilization(now, running, stall.runningFor()), stall, this.death);
	}

	/**
	 * Return the loop's live task counts, cheap to read as often as a meter likes.
	 * @return the counters of this loop
	 */
	public LoopCounters counters() {
		return this.counters;
	}

	/**
	 * Add a listener that receives every lag sample of the probe, in nanoseconds, on the
	 * loop thread. Listeners must be fast and must not block; one that throws is logged
	 * and does not affect the loop or the other listeners.
	 * @param listener the listener
	 */
	public void addLagListener(LongConsumer listener) {
		this.probe.addListener(Objects.requireNonNull(listener, "listener must not be null"));
	}

	/**
	 * Remove a listener added by {@link #addLagListener(LongConsumer)}.
	 * @param listener the listener
	 */
	public void removeLagListener(LongConsumer listener) {
		this.probe.removeListener(listener);
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
				long nanos = timeout.isNegative() ? 0 : LoopTimers.saturatedNanos(timeout);
				this.shutdownDeadline = this.ticker.nanoTime() + nanos;
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

	// ---- for AsyncContext, LoopFuture, the timers and the watchdog (same package)

	/**
	 * Queue internal work (a completion hop, a timer purge): not counted as a user task,
	 * and accepted whatever the queue's bound, until the loop has terminated.
	 * @throws RejectedExecutionException once the loop has terminated
	 */
	void executeInternal(InternalTask task) {
		if (this.state == ST_TERMINATED) {
			throw new RejectedExecutionException("Event loop '" + this.name + "' has terminated");
		}
		this.queue.offerInternal(task);
		afterOffer();
	}

	/**
	 * Report a failure of work run inline on this loop without a future: counted, and
	 * handed to the uncaught-exception handler.
	 */
	void reportUncaught(Throwable ex) {
		assert inLoop();
		this.counters.failedOne();
		onTaskFailure(null, ex);
	}

	boolean isRunning() {
		return this.state == ST_RUNNING;
	}

	boolean acceptsTasks() {
		return this.state < ST_SHUTTING_DOWN;
	}

	int pendingTimers() {
		return this.timers.size();
	}

	LoopTimers timers() {
		return this.timers;
	}

	LoopThread thread() {
		return this.thread;
	}

	LoopSettings settings() {
		return this.settings;
	}

	LagProbe probe() {
		return this.probe;
	}

	long shutdownDeadline() {
		return this.shutdownDeadline;
	}

	RejectedExecutionException rejectedBecauseShutdown() {
		this.counters.rejectedOne();
		return new RejectedExecutionException("Event loop '" + this.name + "' is " + state()
				+ " and accepts no new tasks. Submit work before the application shuts down, "
				+ "or check EventLoop.state() first.");
	}

	// ---- submission (any thread)

	void enqueue(Runnable task) {
		if (this.state >= ST_SHUTTING_DOWN) {
			throw rejectedBecauseShutdown();
		}
		if (this.queue.bounded() && !reserve()) {
			this.counters.rejectedOne();
			throw new RejectedExecutionException("Event loop '" + this.name + "' rejected a task: its queue is full ("
					+ this.queue.capacity() + " tasks). Slow down the producers, raise the queue capacity, "
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
	 * Reserve a place in a bounded queue, waiting up to the submit timeout if the caller
	 * is not a loop thread (loop threads never wait for another loop's queue).
	 */
	private boolean reserve() {
		if (this.queue.tryReserve()) {
			return true;
		}
		long waitNanos = this.settings.submitTimeout().toNanos();
		if (waitNanos == 0 || currentOrNull() != null) {
			return false;
		}
		long deadline = this.ticker.nanoTime() + waitNanos;
		while (this.state < ST_SHUTTING_DOWN) {
			wakeUp();
			LockSupport.parkNanos(this, 20_000);
			if (this.queue.tryReserve()) {
				return true;
			}
			if (this.ticker.nanoTime() - deadline >= 0) {
				return false;
			}
		}
		throw rejectedBecauseShutdown();
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
			this.probe.start(this.ticker.nanoTime());
			while (this.state == ST_RUNNING) {
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
		while (ran < BATCH_SIZE && this.state == ST_RUNNING && (task = this.queue.relaxedPoll()) != null);
		this.probe.busyFor(this.ticker.nanoTime() - start);
		this.counters.busy(false);
		return true;
	}

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
				logger.log(Level.DEBUG, "Cleared the interrupt flag left by a task on event loop '" + this.name + "'");
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
		this.counters.busy(true);
		if (timerDue) {
			this.timers.runRound(now, BATCH_SIZE);
		}
		if (probeDue) {
			this.probe.run(now);
		}
		this.probe.busyFor(this.ticker.nanoTime() - now);
		this.counters.busy(false);
		return true;
	}

	/**
	 * Wait for work, until the next timer is due. The lag probe does not wake an idle
	 * loop: parked for want of work, it runs a new task at once.
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

	private boolean hasWorkOrStopping() {
		return !this.queue.isEmpty() || this.state != ST_RUNNING;
	}

	// ---- shutdown

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
				if (this.state == ST_TERMINATED || this.ticker.nanoTime() - deadline > 0) {
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
	 * Called by the watchdog only once it has seen the task stalled, so the loop thread
	 * is inside that task and not polling the queue or changing its timers (which it no
	 * longer accepts); when the task returns, the loop thread sees TERMINATED and polls
	 * no more.
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
		int timers = this.timers.cancelAllFromElsewhere();
		int count = sweep();
		logger.log(Level.ERROR, "Event loop '" + this.name + "' did not finish a task before its shutdown timeout; "
				+ "terminated without it. " + count + " queued tasks were abandoned and " + timers
				+ " pending timers cancelled; their futures completed exceptionally. The stuck task is still running "
				+ "on thread '" + this.thread.getName() + "'.", where);
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
		this.counters.abandoned(count);
		return count;
	}

	public String toString() {
		return "EventLoop[" + this.name + ", " + state() + "]";
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
