package dev.eventloop.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.eventloop.EventLoop;
import dev.eventloop.Ticker;

/**
 * A {@link Ticker} whose time moves only when a test says so. Give it to loops with
 * {@code EventLoop.builder(name).ticker(ticker)} (or declare it as a bean: every
 * configured loop then uses it), then {@link #advance(Duration)}: every timer of every
 * loop using this ticker that falls due runs, in due order, each seeing the time it was
 * due, and {@code advance} returns once they have run. A one-second fixed-rate task
 * advanced by one day runs exactly 86,400 times.
 *
 * <p>
 * Everything else a loop times reads this ticker too: the lag probe, utilisation, stall
 * detection by the watchdog and submit timeouts.
 * {@link #advanceWithoutRunningTimers(Duration)} moves time alone, for example to make a
 * task that holds its loop count as stalled.
 *
 * <p>
 * {@link #now()} starts at zero. Methods are safe to call from any thread but a loop's
 * own.
 *
 * @since 0.1.0
 */
public final class ManualTicker implements Ticker {

	private static final Duration LOOP_WAIT = Duration.ofSeconds(30);

	// where nanoTime starts: not zero, which loops may read as "not set"
	private static final long ORIGIN = TimeUnit.DAYS.toNanos(1);

	// any thread reads; moved only under this ticker's monitor
	private volatile long nanos = ORIGIN;

	// loops reading this ticker: added when they start, removed when they terminate
	private final Set<TimedLoop> loops = new CopyOnWriteArraySet<>();

	@Override
	public long nanoTime() {
		return this.nanos;
	}

	@Override
	public void attach(TimedLoop loop) {
		this.loops.add(loop);
	}

	@Override
	public void detach(TimedLoop loop) {
		this.loops.remove(loop);
	}

	/**
	 * Return the time elapsed since this ticker was created, as moved by the test.
	 * @return the current time
	 */
	public Duration now() {
		return Duration.ofNanos(this.nanos - ORIGIN);
	}

	/**
	 * Move time forward, running every timer that falls due on every loop using this
	 * ticker, in due order, and return once they have run. Work the timers queue on the
	 * loops runs as it would (see {@link EventLoopTestSupport#awaitQuiescence}).
	 * @param duration how far to move, zero or positive
	 * @throws IllegalStateException if called on a loop thread, or if a loop does not run
	 * its due timers within 30 seconds (a task holds it)
	 */
	public synchronized void advance(Duration duration) {
		long target = this.nanos + nonNegative(duration);
		checkNotOnLoop();
		runDueTimers();
		OptionalLong next = nextTimerDue();
		while (next.isPresent() && next.getAsLong() - target <= 0) {
			if (next.getAsLong() - this.nanos > 0) {
				this.nanos = next.getAsLong();
			}
			runDueTimers();
			next = nextTimerDue();
		}
		this.nanos = target;
		runDueTimers();
	}

	/**
	 * Move time forward without running any timer: what a loop measures from now on (lag,
	 * how long its current task has run) sees the new time.
	 * @param duration how far to move, zero or positive
	 */
	public synchronized void advanceWithoutRunningTimers(Duration duration) {
		this.nanos += nonNegative(duration);
	}

	private OptionalLong nextTimerDue() {
		long earliest = 0;
		boolean found = false;
		for (TimedLoop loop : this.loops) {
			OptionalLong due = loop.nextTimerDue();
			if (due.isPresent() && (!found || due.getAsLong() - earliest < 0)) {
				earliest = due.getAsLong();
				found = true;
			}
		}
		return found ? OptionalLong.of(earliest) : OptionalLong.empty();
	}

	/**
	 * Let every loop run its timers due now, and wait until all have. Timers may schedule
	 * timers on other loops, which reach those loops through their task queues: repeat
	 * until a round runs nothing, a round that is then a barrier behind every timer
	 * queued by the previous one.
	 */
	private void runDueTimers() {
		boolean ran;
		do {
			List<TimedLoop> loops = new ArrayList<>(this.loops);
			List<CompletableFuture<Integer>> runs = new ArrayList<>(loops.size());
			for (TimedLoop loop : loops) {
				runs.add(loop.runDueTimers());
			}
			ran = false;
			for (int i = 0; i < runs.size(); i++) {
				ran |= await(loops.get(i).loop(), runs.get(i)) > 0;
			}
		}
		while (ran || anyDueNow());
	}

	private boolean anyDueNow() {
		OptionalLong next = nextTimerDue();
		return next.isPresent() && next.getAsLong() - this.nanos <= 0;
	}

	private static int await(EventLoop loop, CompletableFuture<Integer> run) {
		try {
			return run.get(LOOP_WAIT.toSeconds(), TimeUnit.SECONDS);
		}
		catch (ExecutionException ex) {
			// the loop terminated before it could run them: it has no timers any more
			return 0;
		}
		catch (TimeoutException ex) {
			throw new IllegalStateException("Event loop '" + loop.name() + "' did not run its due timers within "
					+ LOOP_WAIT.toSeconds() + " seconds: a task holds it. Release the task before advancing time, "
					+ "or use advanceWithoutRunningTimers to move time alone.");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while event loop '" + loop.name() + "' ran its due timers",
					ex);
		}
	}

	private static void checkNotOnLoop() {
		EventLoop.current().ifPresent((loop) -> {
			throw new IllegalStateException("ManualTicker.advance was called on event loop '" + loop.name()
					+ "', which must run the timers it would wait for. Advance time from the test's own thread.");
		});
	}

	private static long nonNegative(Duration duration) {
		Objects.requireNonNull(duration, "duration must not be null");
		if (duration.isNegative()) {
			throw new IllegalArgumentException("Time moves forward only, but duration was " + duration);
		}
		return duration.toNanos();
	}

	@Override
	public String toString() {
		return "ManualTicker[" + now() + "]";
	}

}
