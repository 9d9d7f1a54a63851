package dev.eventloop;

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
	 * Return the ticker that reads {@link System#nanoTime()}.
	 * @return the system ticker
	 */
	static Ticker system() {
		return SystemTicker.INSTANCE;
	}

}
