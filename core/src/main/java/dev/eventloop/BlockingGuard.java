package dev.eventloop;

import java.lang.System.Logger.Level;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * The one place that applies a {@link BlockingPolicy} before a thread blocks.
 */
final class BlockingGuard {

	private static final System.Logger logger = System.getLogger(BlockingGuard.class.getName());

	// any thread: call sites already warned about, so that WARN logs once per site
	private static final Set<String> warnedSites = ConcurrentHashMap.newKeySet();

	private BlockingGuard() {
	}

	/**
	 * Apply the current loop's policy, if the caller is on one of our loops.
	 * @return the caller's loop if it may now block, or null if it is on no loop
	 */
	static @Nullable EventLoop beforeBlocking(String what) {
		EventLoop loop = EventLoop.currentOrNull();
		if (loop != null) {
			apply(loop.blockingPolicy(), loop.name(), loop, what);
		}
		return loop;
	}

	/**
	 * Apply a policy for the named loop thread (ours, or a foreign one when {@code loop}
	 * is null).
	 */
	static void apply(BlockingPolicy policy, String loopName, @Nullable EventLoop loop, String what) {
		switch (policy) {
			case FAIL -> throw new BlockingOnLoopException(loopName, what);
			case WARN -> {
				if (loop != null) {
					loop.recordBlockingViolation();
				}
				warnOnce(loopName, what);
			}
			case ALLOW -> {
			}
		}
	}

	private static void warnOnce(String loopName, String what) {
		BlockingOnLoopException ex = new BlockingOnLoopException(loopName, what);
		String site = callSite(ex.getStackTrace());
		if (warnedSites.add(site)) {
			logger.log(Level.WARNING, "Blocking on event loop '" + loopName + "' at " + site
					+ " (allowed by blocking policy WARN; logged once per call site)", ex);
		}
	}

	private static String callSite(StackTraceElement[] stack) {
		for (StackTraceElement frame : stack) {
			String type = frame.getClassName();
			if (!type.startsWith("dev.eventloop.") || type.startsWith("dev.eventloop.spring.")) {
				return frame.toString();
			}
		}
		return (stack.length > 0) ? stack[stack.length - 1].toString() : "unknown";
	}

}
