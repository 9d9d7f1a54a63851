package dev.eventloop;

import java.lang.System.Logger.Level;
import java.lang.Thread.UncaughtExceptionHandler;

import org.jspecify.annotations.Nullable;

/**
 * Runs one task of a loop on its thread: counts its start and outcome, and delivers the
 * outcome to the task's future or, for a failure of a task without one, to the loop's
 * uncaught-exception handler, then runs the loop's after-each-task action, if any. Used
 * by the run loop and the timers; inline work runs inside the task that called it and
 * only reports its uncaught failures here. Loop thread only.
 */
final class TaskRunner {

	private static final System.Logger logger = System.getLogger(EventLoop.class.getName());

	private final String loopName;

	private final LoopCounters counters;

	private final LoopThread thread;

	private final UncaughtExceptionHandler uncaughtExceptionHandler;

	// run after every task, or null: clears what a task left in thread-locals
	private final @Nullable Runnable afterEachTask;

	TaskRunner(String loopName, LoopCounters counters, LoopThread thread,
			UncaughtExceptionHandler uncaughtExceptionHandler, @Nullable Runnable afterEachTask) {
		this.loopName = loopName;
		this.counters = counters;
		this.thread = thread;
		this.uncaughtExceptionHandler = uncaughtExceptionHandler;
		this.afterEachTask = afterEachTask;
	}

	/**
	 * Run one task, count its outcome, and deliver it to its future or, for a failure of
	 * a task without one, to the uncaught-exception handler.
	 */
	void runTask(Runnable task) {
		try {
			runCounted(task);
		}
		finally {
			Runnable after = this.afterEachTask;
			if (after != null) {
				afterTask(after);
			}
		}
	}

	private void afterTask(Runnable after) {
		try {
			after.run();
		}
		catch (Throwable ex) {
			logger.log(Level.ERROR, "The after-each-task action of event loop '" + this.loopName + "' failed", ex);
		}
	}

	private void runCounted(Runnable task) {
		this.counters.taskStarting();
		LoopTask loopTask = (task instanceof LoopTask candidate) ? candidate : null;
		// read before the run: a submitted task becomes its own completion hop when it
		// runs
		boolean internal = loopTask != null && loopTask.internal();
		try {
			if (loopTask != null) {
				loopTask.execute();
			}
			else {
				task.run();
			}
		}
		catch (Throwable ex) {
			this.counters.failedOne();
			onTaskFailure(task, ex);
			return;
		}
		finally {
			if (Thread.interrupted()) {
				logger.log(Level.DEBUG,
						"Cleared the interrupt flag left by a task on event loop '" + this.loopName + "'");
			}
		}
		if (!internal) {
			this.counters.completedOne();
		}
		if (loopTask != null) {
			loopTask.deliver();
		}
	}

	/**
	 * Report a failure of work run inline on this loop without a future: counted, and
	 * handed to the uncaught-exception handler.
	 */
	void reportUncaught(Throwable ex) {
		assert this.thread.isCurrent();
		this.counters.failedOne();
		onTaskFailure(null, ex);
	}

	/**
	 * Hand a task's failure to its future or to the uncaught-exception handler. Whatever
	 * the task threw, an {@link Error} included, the loop runs on: the JVM survived it,
	 * and so does the loop.
	 */
	private void onTaskFailure(@Nullable Runnable task, Throwable ex) {
		try {
			if (task instanceof LoopTask loopTask) {
				loopTask.fail(ex);
			}
			else {
				this.uncaughtExceptionHandler.uncaughtException(this.thread, ex);
			}
		}
		catch (Throwable handlerFailure) {
			logger.log(Level.ERROR, "Uncaught-exception handler of event loop '" + this.loopName + "' failed",
					handlerFailure);
		}
	}

}
