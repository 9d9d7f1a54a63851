package dev.eventloop;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jspecify.annotations.Nullable;

/**
 * The one place that applies a {@link BlockingPolicy} before a thread blocks.
 */
final class BlockingGuard {

	private static final System.Logger logger = System.getLogger(BlockingGuard.class.getName());

	// any thread: call sites already warned about, so that WARN logs once per site
	private static final Set<String> warnedSites = ConcurrentHashMap.newKeySet();

	// any thread: the foreign event-loop threads that open AsyncContexts know of, with
	// their policy, so that every wait (LoopFuture's too) consults the same detectors
	private static final List<ForeignLoops> foreignLoops = new CopyOnWriteArrayList<>();

	private BlockingGuard() {
	}

	/**
	 * Apply the caller's policy before it blocks: its loop's, if it is on one of our
	 * loops, or the policy registered for a foreign event-loop thread it is on.
	 * @return the caller's loop if it may now block, or null if it is on none of ours
	 */
	static @Nullable EventLoop beforeBlocking(String what) {
		return beforeBlocking(what, null);
	}

	/**
	 * Apply the caller's policy before it blocks, consulting the given foreign loops
	 * first, then every registered one.
	 * @return the caller's loop if it may now block, or null if it is on none of ours
	 */
	static @Nullable EventLoop beforeBlocking(String what, @Nullable ForeignLoops first) {
		EventLoop loop = EventLoop.currentOrNull();
		if (loop != null) {
			apply(loop.blockingPolicy(), loop.name(), loop, what);
			return loop;
		}
		if (first == null && foreignLoops.isEmpty()) {
			return null;
		}
		Thread thread = Thread.currentThread();
		ForeignLoops match = (first != null && first.recognises(thread)) ? first : null;
		if (match == null) {
			for (ForeignLoops candidate : foreignLoops) {
				if (candidate.recognises(thread)) {
					match = candidate;
					break;
				}
			}
		}
		if (match != null) {
			apply(match.policy(), thread.getName(), null, what);
		}
		return null;
	}

	static void register(ForeignLoops loops) {
		foreignLoops.add(0, loops); // the newest context's policy first
	}

	static void unregister(ForeignLoops loops) {
		foreignLoops.remove(loops);
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
					loop.counters().blockingViolation();
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

	/**
	 * Return the first frame of the code that blocked: past this library, the JDK, and
	 * the hooks through which Reactor and BlockHound report a blocking call.
	 */
	private static String callSite(StackTraceElement[] stack) {
		for (StackTraceElement frame : stack) {
			if (!isMachinery(frame.getClassName())) {
				return frame.toString();
			}
		}
		return (stack.length > 0) ? stack[stack.length - 1].toString() : "unknown";
	}

	private static boolean isMachinery(String type) {
		if (type.startsWith("dev.eventloop.")) {
			return !type.startsWith("dev.eventloop.spring.")
					|| type.startsWith("dev.eventloop.spring.autoconfigure.blockhound.")
					|| type.startsWith("dev.eventloop.spring.autoconfigure.reactor.");
		}
		return type.startsWith("java.") || type.startsWith("jdk.") || type.startsWith("sun.")
				|| type.startsWith("reactor.blockhound.") || type.startsWith("reactor.core.");
	}

	/**
	 * Foreign event-loop threads, as recognised by detectors, and the blocking policy
	 * that applies on them.
	 */
	record ForeignLoops(List<ForeignLoopDetector> detectors, BlockingPolicy policy) {

		boolean recognises(Thread thread) {
			for (ForeignLoopDetector detector : this.detectors) {
				if (detector.isEventLoopThread(thread)) {
					return true;
				}
			}
			return false;
		}

	}

}
