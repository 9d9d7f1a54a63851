package dev.eventloop;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
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
 * Shutdown ({@link #shutdownGracefully(Duration)}) rejects new tasks, cancels pending
 * timers and runs what is queued until the timeout; what is still queued then is
 * abandoned: its futures fail with a {@link RejectedExecutionException}, and the count is
 * logged and reported in {@link LoopStats.Tasks#abandoned()}. Nothing is dropped
 * silently.
 *
 * @since 0.1.0
 */
public final class EventLoop implements EventLoopGroup, Executor {

	private final String name;

	private final EventLoopGroup group;

	private final LoopSettings settings;

	private final Ticker ticker;

	private final LoopLifecycle lifecycle = new LoopLifecycle();

	private final LoopThread thread;

	private final LoopCounters counters;

	private final TaskQueue queue;

	private final TaskRunner tasks;

	private final LagProbe probe;

	private final LoopTimers timers;

	private final Watchdog.Monitor monitor;

	private final LoopRunner runner;

	// Each part gets the pieces of the loop it needs, in this order; none calls back into
	// the loop. The counters report readings of the queue and the monitor, which count
	// into them, so they learn of those two last.
	EventLoop(String name, LoopSettings settings, @Nullable EventLoopGroup group) {
		this.name = name;
		this.settings = settings;
		this.group = (group != null) ? group : this;
		this.ticker = settings.ticker();
		this.thread = new LoopThread(this, name, this::run, settings.daemon(),
				settings.blockingPolicy() != BlockingPolicy.FAIL);
		this.probe = new LagProbe(name, settings.lagProbeInterval());
		this.probe.start(this.ticker.nanoTime());
		this.counters = new LoopCounters(this.ticker, this.lifecycle, this.probe);
		this.queue = new TaskQueue(settings.queueCapacity(), settings.submitTimeout().toNanos(), name, this.lifecycle,
				this.counters, this.thread, this.ticker);
		this.tasks = new TaskRunner(name, this.counters, this.thread, settings.uncaughtExceptionHandler(),
				settings.afterEachTask());
		this.timers = new LoopTimers(this, name, settings.lagThreshold().toNanos(), this.ticker, this.lifecycle,
				this.thread, this.queue, this.counters, this.tasks, this.probe);
		this.monitor = new Watchdog.Monitor(name, settings.stallThreshold(), this.ticker, this.counters, this.thread,
				this.lifecycle, this.queue, this.timers);
		this.runner = new LoopRunner(name, settings.idleStrategy(), this.ticker, this.lifecycle, this.thread,
				this.queue, this.counters, this.probe, this.timers, this.tasks, this.monitor);
		this.counters.readFrom(this.queue, this.monitor);
	}

	// the body of the loop thread
	private void run() {
		this.runner.run();
	}

	/**
	 * Start the loop thread and put the loop under the watchdog. Called once, by the
	 * builder that created the loop.
	 */
	void start() {
		this.lifecycle.start();
		this.thread.start();
		Watchdog.INSTANCE.watch(this.monitor);
		this.ticker.attach(this.timers);
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

	/**
	 * Return the loop that runs (or, once it has terminated, ran) on the given thread, if
	 * any.
	 * @param thread the thread
	 * @return its loop, or empty when the thread is no event loop's
	 */
	public static Optional<EventLoop> ofThread(Thread thread) {
		return Optional.ofNullable((thread instanceof LoopThread loopThread) ? loopThread.loop : null);
	}

	/**
	 * Return whether the thread runs one of this library's loops (for Reactor,
	 * BlockHound).
	 * @param thread the thread
	 * @return {@code true} if it runs an event loop
	 */
	public static boolean isEventLoopThread(Thread thread) {
		return thread instanceof LoopThread;
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
		return this.thread.isCurrent();
	}

	/**
	 * Return the lifecycle state.
	 * @return the current state
	 */
	public LoopState state() {
		return this.lifecycle.state();
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
	 * handler. A task still queued when the loop terminates never runs: it is counted as
	 * abandoned, and told so if it is an {@link AbandonableTask}.
	 * @param task the task
	 * @throws RejectedExecutionException if the loop is shutting down or terminated, or
	 * its bounded queue is full
	 */
	@Override
	public void execute(Runnable task) {
		Objects.requireNonNull(task, "task must not be null");
		this.queue.enqueue(task);
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
		SubmittedTask<T> submitted = this.runner.newTask(task, home);
		try {
			this.queue.enqueue(submitted);
		}
		catch (RejectedExecutionException ex) {
			submitted.refuse(ex);
		}
		return submitted;
	}

	/**
	 * Queue an inline call on this loop instead of running it (the caller is this loop's
	 * thread): its future completes here.
	 */
	<T extends @Nullable Object> LoopFuture<T> submitDeferred(Callable<T> task) {
		SubmittedTask<T> submitted = this.runner.newTask(task, this);
		this.queue.enqueue(submitted);
		return submitted;
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
		boolean running = this.lifecycle.isRunning();
		LoopStats.Stall stall = this.monitor.snapshot(now);
		return new LoopStats(this.name, this.group.name(), state(), this.counters.snapshot(),
				new LoopStats.Queue(this.queue.size(), this.queue.capacity()),
				this.probe.lag(now, running, this.settings.lagThreshold().toNanos()),
				this.probe.utilization(now, running, stall.runningFor()), stall, this.lifecycle.death());
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
		this.lifecycle.shutDown(this.ticker, timeout.isNegative() ? 0 : LoopTimers.saturatedNanos(timeout));
		this.thread.wakeUp();
		return this.lifecycle.terminationFuture();
	}

	/**
	 * Return a future completed when the loop has terminated.
	 * @return the termination future
	 */
	public CompletableFuture<Void> terminationFuture() {
		return this.lifecycle.terminationFuture();
	}

	// ---- for AsyncContext, InlineRunner, LoopFuture, ScheduledTask and tests (same
	// package)

	/**
	 * Queue internal work (a completion hop, a timer purge): not counted as a user task,
	 * and accepted whatever the queue's bound, until the loop has terminated.
	 * @throws RejectedExecutionException once the loop has terminated
	 */
	void executeInternal(LoopTask task) {
		this.queue.enqueueInternal(task);
	}

	/**
	 * Queue a user task (any thread).
	 * @throws RejectedExecutionException if the loop does not accept it
	 */
	void enqueue(Runnable task) {
		this.queue.enqueue(task);
	}

	/**
	 * Report a failure of work run inline on this loop without a future: counted, and
	 * handed to the uncaught-exception handler.
	 */
	void reportUncaught(Throwable ex) {
		this.tasks.reportUncaught(ex);
	}

	LoopThread thread() {
		return this.thread;
	}

	LoopTimers timers() {
		return this.timers;
	}

	@Override
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
