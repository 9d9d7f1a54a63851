package dev.eventloop.test;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import dev.eventloop.LoopCounters;
import org.jspecify.annotations.Nullable;

/**
 * Helpers for tests of code that runs on event loops.
 *
 * @since 0.1.0
 */
public final class EventLoopTestSupport {

	private static final long POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

	private EventLoopTestSupport() {
	}

	/**
	 * Wait until every loop of the group has an empty queue and no task running,
	 * including the work that its tasks queue meanwhile, on its own loop or on another
	 * loop of the group. Pending timers do not count as work: advance a
	 * {@link ManualTicker} to run them.
	 * @param group the group (or single loop) to wait for
	 * @param timeout how long to wait at most
	 * @throws AssertionError naming a busy loop and its queue size if the group is still
	 * busy when the timeout runs out
	 */
	public static void awaitQuiescence(EventLoopGroup group, Duration timeout) {
		Objects.requireNonNull(group, "group must not be null");
		Objects.requireNonNull(timeout, "timeout must not be null");
		List<EventLoop> loops = group.loops();
		checkNotOnLoop(loops, "awaitQuiescence");
		long deadline = System.nanoTime() + timeout.toNanos();
		long[] previous = null;
		int quietPolls = 0;
		while (true) {
			long[] counts = counts(loops);
			if (idle(loops) && Arrays.equals(counts, previous)) {
				// quiet twice in a row with nothing run or queued in between
				if (++quietPolls >= 2) {
					return;
				}
			}
			else {
				quietPolls = 0;
			}
			previous = counts;
			if (System.nanoTime() - deadline > 0) {
				throw notQuiescent(group, loops, timeout);
			}
			LockSupport.parkNanos(POLL_NANOS);
		}
	}

	/**
	 * Run a task on the loop and return its result; a failure is rethrown on the calling
	 * thread as it was thrown on the loop.
	 * @param <T> the result type
	 * @param loop the loop to run on
	 * @param task the task
	 * @return the task's result
	 * @throws Exception what the task threw
	 */
	public static <T extends @Nullable Object> T runOn(EventLoop loop, Callable<T> task) throws Exception {
		Objects.requireNonNull(loop, "loop must not be null");
		Objects.requireNonNull(task, "task must not be null");
		if (loop.inLoop()) {
			return task.call();
		}
		checkNotOnLoop(List.of(loop), "runOn");
		try {
			return loop.submit(task).get();
		}
		catch (ExecutionException ex) {
			Throwable cause = ex.getCause();
			if (cause instanceof Exception exception) {
				throw exception;
			}
			if (cause instanceof Error error) {
				throw error;
			}
			throw ex;
		}
	}

	private static boolean idle(List<EventLoop> loops) {
		for (EventLoop loop : loops) {
			LoopCounters counters = loop.counters();
			if (counters.queueSize() != 0 || counters.running()) {
				return false;
			}
		}
		return true;
	}

	private static long[] counts(List<EventLoop> loops) {
		long[] counts = new long[loops.size() * 3];
		for (int i = 0; i < loops.size(); i++) {
			LoopCounters counters = loops.get(i).counters();
			counts[3 * i] = counters.submitted();
			counts[3 * i + 1] = counters.completed() + counters.failed() + counters.abandoned();
			counts[3 * i + 2] = counters.inline();
		}
		return counts;
	}

	private static AssertionError notQuiescent(EventLoopGroup group, List<EventLoop> loops, Duration timeout) {
		for (EventLoop loop : loops) {
			LoopCounters counters = loop.counters();
			if (counters.queueSize() != 0 || counters.running()) {
				return new AssertionError("Event loop '" + loop.name() + "' of group '" + group.name()
						+ "' was still busy after " + timeout + ": " + counters.queueSize() + " tasks queued"
						+ (counters.running() ? ", a task running" : "") + ". Raise the timeout, or look for work "
						+ "that keeps queueing more work.");
			}
		}
		return new AssertionError("Event loop group '" + group.name() + "' kept running tasks for " + timeout
				+ " without settling. Raise the timeout, or look for work that keeps queueing more work.");
	}

	private static void checkNotOnLoop(List<EventLoop> loops, String method) {
		EventLoop.current().ifPresent((current) -> {
			if (loops.contains(current)) {
				throw new IllegalStateException("EventLoopTestSupport." + method + " was called on event loop '"
						+ current.name() + "', which would wait for itself. Call it from the test's own thread.");
			}
		});
	}

}
