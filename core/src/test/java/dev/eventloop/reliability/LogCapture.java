package dev.eventloop.reliability;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what the runtime logs through {@code System.Logger}, which goes to
 * {@code java.util.logging} when no other logging system is present.
 */
final class LogCapture extends Handler implements AutoCloseable {

	private final Logger logger;

	// any thread adds, the test reads
	private final List<LogRecord> records = new CopyOnWriteArrayList<>();

	private LogCapture(String loggerName) {
		this.logger = Logger.getLogger(loggerName);
		setLevel(Level.ALL);
		this.logger.addHandler(this);
	}

	static LogCapture of(Class<?> type) {
		return new LogCapture(type.getName());
	}

	@Override
	public void publish(LogRecord record) {
		this.records.add(record);
	}

	List<LogRecord> records() {
		return List.copyOf(this.records);
	}

	List<LogRecord> containing(String text) {
		return this.records.stream().filter((record) -> String.valueOf(record.getMessage()).contains(text)).toList();
	}

	@Override
	public void flush() {
	}

	@Override
	public void close() {
		this.logger.removeHandler(this);
	}

}
