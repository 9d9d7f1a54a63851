package dev.eventloop;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;

import org.jspecify.annotations.Nullable;

/**
 * Runs {@link AsyncContext}'s work inline on the caller's own loop, keyed or not: counts
 * it, bounds the nesting depth, and keeps call order when a dispatch has to be queued.
 *
 * <p>
 * A dispatch deeper than the bound is queued on the same loop, where it starts on a fresh
 * stack. Until it has run, later inline dispatches on that loop are queued behind it too,
 * so that work dispatched in one order runs in that order. Loop thread only.
 */
final class InlineRunner {

	private final int maxDepth;

	InlineRunner(int maxDepth) {
		this.maxDepth = maxDepth;
	}

	<T extends @Nullable Object> LoopFuture<T> dispatch(EventLoop loop, Callable<T> task) {
		LoopThread thread = loop.thread();
		if (mustQueue(thread)) {
			return submitDeferred(loop, task);
		}
		thread.inlineDepth++;
		loop.counters().inlineOne();
		try {
			return LoopFuture.completed(task.call());
		}
		catch (Throwable ex) {
			loop.counters().failedOne();
			return LoopFuture.failed(ex);
		}
		finally {
			thread.inlineDepth--;
		}
	}

	void execute(EventLoop loop, Runnable task) {
		LoopThread thread = loop.thread();
		if (mustQueue(thread)) {
			loop.enqueue(() -> {
				thread.deferredInline--;
				task.run();
			});
			thread.deferredInline++;
			return;
		}
		thread.inlineDepth++;
		loop.counters().inlineOne();
		try {
			task.run();
		}
		catch (Throwable ex) {
			loop.reportUncaught(ex);
		}
		finally {
			thread.inlineDepth--;
		}
	}

	/**
	 * Run a blocking-form call inline: it must return its value, so it runs whatever the
	 * depth and does not wait for queued dispatches.
	 */
	<T extends @Nullable Object> T call(EventLoop loop, Callable<T> task) {
		loop.counters().inlineOne();
		try {
			return task.call();
		}
		catch (RuntimeException | Error ex) {
			loop.counters().failedOne();
			throw ex;
		}
		catch (Exception ex) {
			loop.counters().failedOne();
			throw new CompletionException(ex);
		}
	}

	private boolean mustQueue(LoopThread thread) {
		assert Thread.currentThread() == thread;
		return thread.inlineDepth >= this.maxDepth || thread.deferredInline > 0;
	}

	private static <T extends @Nullable Object> LoopFuture<T> submitDeferred(EventLoop loop, Callable<T> task) {
		try {
			LoopFuture<T> future = loop.submitDeferred(task);
			loop.thread().deferredInline++;
			return future;
		}
		catch (RejectedExecutionException ex) {
			return LoopFuture.failed(ex);
		}
	}

}
