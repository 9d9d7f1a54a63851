package dev.eventloop;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

import org.jspecify.annotations.Nullable;

/**
 * A {@link CompletableFuture} that knows about event loops.
 * <ul>
 * <li>{@link #get()}, {@link #get(long, TimeUnit)} and {@link #join()} of a future that
 * is not done, called on an event-loop thread, apply that loop's {@link BlockingPolicy}:
 * by default they throw {@link BlockingOnLoopException} instead of stalling (or
 * deadlocking) the loop.</li>
 * <li>A future returned to a caller on loop A for work that runs on loop B is completed
 * on loop A, so the caller's dependent stages stay on its own thread. For a caller on no
 * loop it is completed on the thread that produced the result.</li>
 * </ul>
 * Dependent stages ({@code thenApply} and friends) are {@code LoopFuture}s too.
 *
 * @param <T> the result type
 * @since 0.1.0
 */
public class LoopFuture<T extends @Nullable Object> extends CompletableFuture<T> {

	/**
	 * Create an incomplete future.
	 */
	public LoopFuture() {
	}

	/**
	 * Called by a thread that is not an event loop just before it blocks on this future.
	 * Nothing to do here; futures of loops that spin when idle spin briefly too.
	 */
	void spinBeforeBlocking() {
	}

	/**
	 * Return a future already completed with the given value.
	 * @param <T> the result type
	 * @param value the value
	 * @return a completed future
	 */
	public static <T extends @Nullable Object> LoopFuture<T> completed(T value) {
		LoopFuture<T> future = new LoopFuture<>();
		future.complete(value);
		return future;
	}

	/**
	 * Return a future already completed exceptionally.
	 * @param <T> the result type
	 * @param failure the failure
	 * @return a failed future
	 */
	public static <T extends @Nullable Object> LoopFuture<T> failed(Throwable failure) {
		LoopFuture<T> future = new LoopFuture<>();
		future.completeExceptionally(failure);
		return future;
	}

	/**
	 * Wait for the result. On an event-loop thread, and while the future is not done, the
	 * loop's {@link BlockingPolicy} applies first.
	 * @throws BlockingOnLoopException when called on an event-loop thread whose policy is
	 * {@link BlockingPolicy#FAIL} before the future is done
	 */
	@Override
	public T get() throws InterruptedException, ExecutionException {
		if (!isDone()) {
			EventLoop loop = BlockingGuard.beforeBlocking("LoopFuture.get()");
			if (loop != null) {
				awaitOnLoop(loop, false, 0);
			}
			else {
				spinBeforeBlocking();
			}
		}
		return super.get();
	}

	/**
	 * Wait for the result without applying a blocking policy: for callers that applied it
	 * already.
	 */
	T getUnguarded() throws InterruptedException, ExecutionException {
		if (!isDone()) {
			spinBeforeBlocking();
		}
		return super.get();
	}

	/**
	 * Wait at most the given time for the result. On an event-loop thread, and while the
	 * future is not done, the loop's {@link BlockingPolicy} applies first. A timeout of
	 * zero or less does not wait, so it is a poll that any thread may make: it throws
	 * {@link TimeoutException} at once when the future is not done.
	 * @throws BlockingOnLoopException when called with a positive timeout on an
	 * event-loop thread whose policy is {@link BlockingPolicy#FAIL} before the future is
	 * done
	 */
	@Override
	public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
		if (!isDone()) {
			long nanos = unit.toNanos(timeout); // saturates
			if (nanos <= 0) {
				throw new TimeoutException("No result within " + timeout + " " + unit);
			}
			EventLoop loop = BlockingGuard.beforeBlocking("LoopFuture.get(timeout)");
			if (loop != null) {
				boolean timed = nanos < Long.MAX_VALUE / 2; // beyond that, no deadline
				awaitOnLoop(loop, timed, timed ? System.nanoTime() + nanos : 0);
				if (!isDone()) {
					throw new TimeoutException("No result within " + timeout + " " + unit);
				}
			}
			else {
				spinBeforeBlocking();
			}
		}
		return super.get(timeout, unit);
	}

	/**
	 * Wait for the result. On an event-loop thread, and while the future is not done, the
	 * loop's {@link BlockingPolicy} applies first.
	 * @throws BlockingOnLoopException when called on an event-loop thread whose policy is
	 * {@link BlockingPolicy#FAIL} before the future is done
	 */
	@Override
	public T join() {
		if (!isDone()) {
			EventLoop loop = BlockingGuard.beforeBlocking("LoopFuture.join()");
			if (loop != null) {
				awaitOnLoopUninterruptibly(loop);
			}
			else {
				spinBeforeBlocking();
			}
		}
		return super.join();
	}

	/**
	 * Block a loop thread that its policy allows to block until this future is done (or
	 * the deadline passes, when timed). While blocked, the loop cannot run its queue, so
	 * it runs the completions queued for it itself: a result routed back to this loop
	 * would otherwise never arrive.
	 */
	void awaitOnLoop(EventLoop loop, boolean timed, long deadlineNanos) throws InterruptedException {
		LoopThread thread = loop.thread();
		if (thread.wakeRegisteredOn != this) {
			// one wake-up per future and thread, however many timed waits time out
			thread.wakeRegisteredOn = this;
			whenComplete((value, failure) -> LockSupport.unpark(thread));
		}
		thread.waiting = true;
		try {
			while (!isDone()) {
				if (thread.pendingHops != null) {
					for (CompletionHop<?> hop : thread.pendingHops) {
						hop.run();
					}
					if (isDone()) {
						return;
					}
				}
				long park = TimeUnit.MILLISECONDS.toNanos(10);
				if (timed) {
					long left = deadlineNanos - System.nanoTime();
					if (left <= 0) {
						return;
					}
					park = Math.min(park, left);
				}
				LockSupport.parkNanos(this, park);
				if (Thread.interrupted()) {
					throw new InterruptedException();
				}
			}
		}
		finally {
			thread.waiting = false;
		}
	}

	void awaitOnLoopUninterruptibly(EventLoop loop) {
		boolean interrupted = false;
		while (!isDone()) {
			try {
				awaitOnLoop(loop, false, 0);
			}
			catch (InterruptedException ex) {
				interrupted = true;
			}
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public <U extends @Nullable Object> LoopFuture<U> newIncompleteFuture() {
		return new LoopFuture<>();
	}

	/**
	 * Complete on the given loop when it is not the current thread's, otherwise now. The
	 * hop is internal work, which a loop accepts whatever its queue's bound until it has
	 * terminated; only then, with no loop left to run on, the future completes on this
	 * thread rather than lose the result.
	 */
	void completeOn(@Nullable EventLoop home, @Nullable T value, @Nullable Throwable failure) {
		if (home == null || home.inLoop()) {
			completeNow(value, failure);
			return;
		}
		LoopThread thread = home.thread();
		CompletionHop<T> hop = new CompletionHop<>(this, value, failure, thread.pendingHops);
		if (thread.pendingHops != null) {
			thread.pendingHops.add(hop);
		}
		try {
			home.executeInternal(hop);
		}
		catch (RejectedExecutionException ex) {
			hop.run();
			return;
		}
		if (thread.waiting) {
			LockSupport.unpark(thread);
		}
	}

	@SuppressWarnings("NullAway")
	void completeNow(@Nullable T value, @Nullable Throwable failure) {
		if (failure != null) {
			completeExceptionally(failure);
		}
		else {
			complete(value);
		}
	}

	/**
	 * Wait for a future whose blocking policy the caller has already applied, without
	 * applying it again (a foreign thread's policy may differ between contexts).
	 */
	static <T extends @Nullable Object> T joinUnguarded(CompletableFuture<T> future) {
		try {
			return (future instanceof LoopFuture<T> loopFuture) ? loopFuture.getUnguarded() : future.get();
		}
		catch (ExecutionException ex) {
			Throwable cause = ex.getCause();
			if (cause instanceof RuntimeException runtime) {
				throw runtime;
			}
			if (cause instanceof Error error) {
				throw error;
			}
			throw new CompletionException(cause);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new CompletionException(ex);
		}
	}

}
