package dev.eventloop.spring.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Checks {@link EventLoopProperties} before any loop is built, so that a bad value fails
 * startup with the name of the property and the way to fix it.
 */
final class EventLoopPropertiesValidator {

	private static final String PREFIX = "eventloop.";

	private EventLoopPropertiesValidator() {
	}

	static void validate(EventLoopProperties properties) {
		EventLoopProperties.Defaults defaults = properties.getDefaults();
		checkCapacity(PREFIX + "defaults.queue-capacity", defaults.getQueueCapacity());
		checkPositive(PREFIX + "defaults.stall-threshold", defaults.getStallThreshold());
		checkPositive(PREFIX + "defaults.lag-threshold", defaults.getLagThreshold());
		checkPositive(PREFIX + "defaults.lag-probe-interval", defaults.getLagProbeInterval());
		Duration shutdownTimeout = properties.getShutdownTimeout();
		if (shutdownTimeout == null || shutdownTimeout.isNegative()) {
			throw new InvalidEventLoopPropertyException(PREFIX + "shutdown-timeout", shutdownTimeout,
					"the drain budget at shutdown must not be negative",
					"Set 'eventloop.shutdown-timeout' to zero or a positive duration such as 30s.");
		}
		if (properties.getMaxInlineDepth() < 1) {
			throw new InvalidEventLoopPropertyException(PREFIX + "max-inline-depth", properties.getMaxInlineDepth(),
					"inline dispatches must be allowed to nest at least once",
					"Set 'eventloop.max-inline-depth' to 1 or more, or remove it to use the default of 16.");
		}
		Map<String, String> owners = new LinkedHashMap<>();
		properties.getLoops().forEach((name, loop) -> {
			String prefix = PREFIX + "loops." + name + ".";
			if (loop.getThreads() < 1) {
				throw new InvalidEventLoopPropertyException(prefix + "threads", loop.getThreads(),
						"event loop group '" + name + "' needs at least one thread", "Set '" + prefix
								+ "threads' to 1 or more, or remove it to get a single loop named '" + name + "'.");
			}
			if (loop.getQueueCapacity() != null) {
				checkCapacity(prefix + "queue-capacity", loop.getQueueCapacity());
			}
			checkPositive(prefix + "stall-threshold", loop.getStallThreshold());
			checkPositive(prefix + "lag-threshold", loop.getLagThreshold());
			checkPositive(prefix + "lag-probe-interval", loop.getLagProbeInterval());
			claim(owners, name, name, loop.getThreads());
			if (loop.getThreads() > 1) {
				for (int i = 0; i < loop.getThreads(); i++) {
					claim(owners, name + "-" + i, name, loop.getThreads());
				}
			}
		});
	}

	private static void claim(Map<String, String> owners, String loopName, String group, int threads) {
		String owner = owners.putIfAbsent(loopName, describe(group, threads));
		if (owner != null) {
			throw new InvalidEventLoopPropertyException(PREFIX + "loops", loopName,
					"the name '" + loopName + "' is used both by " + owner + " and by " + describe(group, threads),
					"Rename one of the entries under 'eventloop.loops' so that no group or loop name repeats"
							+ " (a group of n threads also names its loops '<name>-0' to '<name>-(n-1)').");
		}
	}

	private static String describe(String group, int threads) {
		return (threads > 1) ? "group '" + group + "' (" + threads + " threads)" : "loop '" + group + "'";
	}

	private static void checkCapacity(String property, int capacity) {
		if (capacity < 0) {
			throw new InvalidEventLoopPropertyException(property, capacity,
					"a queue capacity must be zero (unbounded) or positive",
					"Set '" + property + "' to 0 for an unbounded queue or to a positive maximum number of tasks.");
		}
	}

	private static void checkPositive(String property, @Nullable Duration duration) {
		if (duration != null && (duration.isNegative() || duration.isZero())) {
			throw new InvalidEventLoopPropertyException(property, duration, "the duration must be positive", "Set '"
					+ property + "' to a positive duration such as 100ms or 2s, or remove it to use the default.");
		}
	}

}
