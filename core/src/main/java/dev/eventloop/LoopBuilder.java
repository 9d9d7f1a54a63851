package dev.eventloop;

import java.lang.System.Logger.Level;
import java.lang.Thread.UncaughtExceptionHandler;
import java.time.Duration;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Settings shared by {@link EventLoop.Builder} and {@link EventLoopGroup.Builder}.
 *
 * @param <B> the concrete builder type
 */
abstract class LoopBuilder<B extends LoopBuilder<B>> {

	private static final System.Logger logger = System.getLogger(EventLoop.class.getName());

	private static final UncaughtExceptionHandler LOGGING_HANDLER = (thread, ex) -> logger.log(Level.ERROR,
			"Task on event loop '" + thread.getName() + "' failed", ex);

	private final String name;

	private int queueCapacity;

	private Duration submitTimeout = Duration.ZERO;

	private Duration stallThreshold = Duration.ofSeconds(2);

	private Duration lagThreshold = Duration.ofSeconds(2);

	private Duration lagProbeInterval = Duration.ofMillis(100);

	private IdleStrategy idleStrategy = IdleStrategy.PARK;

	private BlockingPolicy blockingPolicy = BlockingPolicy.FAIL;

	private UncaughtExceptionHandler uncaughtExceptionHandler = LOGGING_HANDLER;

	private boolean daemon;

	private @Nullable Runnable afterEachTask;

	private Ticker ticker = Ticker.system();

	LoopBuilder(String name) {
		Objects.requireNonNull(name, "Event loop name must not be null");
		if (name.isBlank()) {
			throw new IllegalArgumentException("Event loop name must not be blank");
		}
		this.name = name;
	}

	final String name() {
		return this.name;
	}

	@SuppressWarnings("unchecked")
	private B self() {
		return (B) this;
	}

	/**
	 * Bound the task queue of each loop. Zero, the default, means unbounded.
	 * @param queueCapacity the maximum number of queued tasks, or zero for unbounded
	 * @return this builder
	 */
	public B queueCapacity(int queueCapacity) {
		if (queueCapacity < 0) {
			throw new IllegalArgumentException("Queue capacity of event loop '" + this.name
					+ "' must be zero (unbounded) or positive, but was " + queueCapacity);
		}
		this.queueCapacity = queueCapacity;
		return self();
	}

	/**
	 * Set how long a thread that is not an event loop waits for space in a full bounded
	 * queue before its task is rejected. Zero, the default, rejects at once. Loop threads
	 * never wait.
	 * @param submitTimeout the longest wait, zero or positive
	 * @return this builder
	 */
	public B submitTimeout(Duration submitTimeout) {
		this.submitTimeout = nonNegative(submitTimeout, "submitTimeout");
		return self();
	}

	/**
	 * Set how long one task may run before the loop is reported stalled. Defaults to two
	 * seconds.
	 * @param stallThreshold the threshold, positive
	 * @return this builder
	 */
	public B stallThreshold(Duration stallThreshold) {
		this.stallThreshold = positive(stallThreshold, "stallThreshold");
		return self();
	}

	/**
	 * Set the scheduling lag above which a loop is reported lagging
	 * ({@link LoopStats.Lag#lagging()}): the loop is running, but work queued or
	 * scheduled on it waits longer than this before it runs. Defaults to two seconds.
	 * @param lagThreshold the threshold, positive
	 * @return this builder
	 */
	public B lagThreshold(Duration lagThreshold) {
		this.lagThreshold = positive(lagThreshold, "lagThreshold");
		return self();
	}

	/**
	 * Set how often the lag probe measures how late the loop runs a scheduled task.
	 * Defaults to 100 milliseconds.
	 * @param lagProbeInterval the probe interval, positive
	 * @return this builder
	 */
	public B lagProbeInterval(Duration lagProbeInterval) {
		this.lagProbeInterval = positive(lagProbeInterval, "lagProbeInterval");
		return self();
	}

	/**
	 * Set what a loop does when it has nothing to run. Defaults to
	 * {@link IdleStrategy#PARK}.
	 * @param idleStrategy the idle strategy
	 * @return this builder
	 */
	public B idleStrategy(IdleStrategy idleStrategy) {
		this.idleStrategy = Objects.requireNonNull(idleStrategy, "idleStrategy must not be null");
		return self();
	}

	/**
	 * Set what happens when code on a loop thread blocks on a result that is not ready.
	 * Defaults to {@link BlockingPolicy#FAIL}.
	 * @param blockingPolicy the blocking policy
	 * @return this builder
	 */
	public B blockingPolicy(BlockingPolicy blockingPolicy) {
		this.blockingPolicy = Objects.requireNonNull(blockingPolicy, "blockingPolicy must not be null");
		return self();
	}

	/**
	 * Set the handler that receives failures of tasks that have no future to complete
	 * (those passed to {@code execute}). Defaults to logging the failure.
	 * @param handler the handler, called on the loop thread
	 * @return this builder
	 */
	public B uncaughtExceptionHandler(UncaughtExceptionHandler handler) {
		this.uncaughtExceptionHandler = Objects.requireNonNull(handler, "uncaughtExceptionHandler must not be null");
		return self();
	}

	/**
	 * Set whether loop threads are daemon threads. Defaults to {@code false}.
	 * @param daemon whether loop threads are daemon threads
	 * @return this builder
	 */
	public B daemon(boolean daemon) {
		this.daemon = daemon;
		return self();
	}

	/**
	 * Set the source of time of the loops: timers, fixed-rate and fixed-delay tasks, the
	 * lag probe, utilisation, stall detection and submit timeouts all read it. Defaults
	 * to {@link Ticker#system()}; tests can pass a ticker that moves only when told to.
	 * @param ticker the ticker
	 * @return this builder
	 */
	public B ticker(Ticker ticker) {
		this.ticker = Objects.requireNonNull(ticker, "ticker must not be null");
		return self();
	}

	/**
	 * Set an action that each loop runs on its thread after every task it runs (a queued
	 * task, a timer, the completion of a future handed back to this loop), once the task
	 * and the callbacks it completed have returned, and before the next task starts: for
	 * clearing thread-local state a task may leave behind, such as the logging MDC, so
	 * that it never reaches the next, unrelated task. Work run inline runs inside the
	 * task that called it and is not followed by the action. What the action throws is
	 * logged and the loop runs on. None by default.
	 * @param action the action, run on the loop thread
	 * @return this builder
	 */
	public B afterEachTask(Runnable action) {
		this.afterEachTask = Objects.requireNonNull(action, "afterEachTask must not be null");
		return self();
	}

	final LoopSettings settings() {
		return new LoopSettings(this.queueCapacity, this.submitTimeout, this.stallThreshold, this.lagThreshold,
				this.lagProbeInterval, this.idleStrategy, this.blockingPolicy, this.uncaughtExceptionHandler,
				this.daemon, this.ticker, this.afterEachTask);
	}

	private Duration positive(Duration duration, String setting) {
		Objects.requireNonNull(duration, () -> setting + " must not be null");
		if (duration.isNegative() || duration.isZero()) {
			throw new IllegalArgumentException(
					setting + " of event loop '" + this.name + "' must be positive, but was " + duration);
		}
		return duration;
	}

	private Duration nonNegative(Duration duration, String setting) {
		Objects.requireNonNull(duration, () -> setting + " must not be null");
		if (duration.isNegative()) {
			throw new IllegalArgumentException(
					setting + " of event loop '" + this.name + "' must not be negative, but was " + duration);
		}
		return duration;
	}

}
