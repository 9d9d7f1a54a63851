package dev.eventloop;

/**
 * The default {@link Ticker}: {@link System#nanoTime()}.
 */
final class SystemTicker implements Ticker {

	static final SystemTicker INSTANCE = new SystemTicker();

	private SystemTicker() {
	}

	@Override
	public long nanoTime() {
		return System.nanoTime();
	}

}
