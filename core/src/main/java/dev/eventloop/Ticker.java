package dev.eventloop;

import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * The source of time of a loop: every time-based behaviour of a loop (timers, fixed-rate
 * tasks, the lag probe, utilisation, stall detection by the watchdog, submit timeouts)
 * reads it. The default is {@link System#nanoTime()}; tests can substitute a ticker that
 * moves only when told to.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface Ticker {

	/**
	 * Return the current value of this ticker, in nanoseconds, with the semantics of
	 * {@link System#nanoTime()}: only differences between two values mean something.
	 * @return the current time in nanoseconds
	 */
	long nanoTime();

	/**
	 * Called when a loop starts reading this ticker, with a handle on the loop's timers:
	 * a ticker that moves time by hand uses it to run the timers that fall due. Does
	 * nothing by default.
	 * @param loop the loop's timers
	 */
	default void attach(TimedLoop loop) {
	}

	/**
	 * Called when a loop that reads this ticker has terminated. Does nothing by default.
	 * @param loop the loop's timers, as given to {@link #attach(TimedLoop)}
	 */
	default void detach(TimedLoop loop) {
	}

	/**
	 * Return the ticker that reads {@link System#nanoTime()}.
	 * @return the system ticker
	 */
	static Ticker system() {
		return SystemTicker.INSTANCE;
	}

	/**
	 * The timers of one loop, as its ticker sees them.
	 *
	 * @since 0.1.0
	 */
	interface TimedLoop {

		/**
		 * Return the loop.
		 * @return the loop these timers belong to
		 */
		EventLoop loop();

		/**
		 * Return when the loop's next timer is due, in this ticker's nanoseconds. A timer
		 * scheduled from another thread counts once the loop has taken it from its queue.
		 * @return the deadline of the next timer, or empty when none is pending
		 */
		OptionalLong nextTimerDue();

		/**
		 * Run, on the loop, every timer due at the ticker's current time, in due order,
		 * including timers those runs schedule for that time. The run is queued behind
		 * the tasks already queued on the loop, so a timer scheduled from another thread
		 * before this call is armed first.
		 * @return a future completed with the number of timer runs once they have run
		 * (exceptionally if the loop has terminated first)
		 */
		CompletableFuture<Integer> runDueTimers();

	}

}
