package dev.eventloop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

import org.jspecify.annotations.Nullable;

/**
 * The platform thread of one {@link EventLoop}. Being a distinct {@link Thread} subclass
 * makes "which loop am I on" an {@code instanceof} check instead of a thread-local
 * lookup. It also carries the parked flag through which producers wake the loop.
 */
final class LoopThread extends Thread {

	private static final VarHandle PARKED;

	static {
		try {
			PARKED = MethodHandles.lookup().findVarHandle(LoopThread.class, "parked", int.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	final EventLoop loop;

	// owned by this thread: depth of nested inline dispatches now on the stack
	int inlineDepth;

	// owned by this thread: dispatches this loop queued on itself because they could not
	// run inline (too deep) and that have not run yet; while any is pending, inline
	// dispatches are queued behind them so that call order holds
	int deferredInline;

	// owned by this thread: the last future it registered a wake-up on while blocked
	// (WARN, ALLOW), so that repeated timed waits on one future register one dependent
	@Nullable LoopFuture<?> wakeRegisteredOn;

	// Completions queued for this loop whose result is already known. Tracked only when
	// the loop's policy lets it block (WARN, ALLOW): a loop blocked waiting on a future
	// cannot run its queue, so it runs these itself instead of deadlocking. Any thread
	// adds, the loop thread and the hop remove.
	final @Nullable Set<CompletionHop<?>> pendingHops;

	// true while this thread is blocked waiting on a future (WARN, ALLOW only); producers
	// of pending hops unpark it
	volatile boolean waiting;

	// 1 while the loop thread is (about to be) parked, set by this thread (LoopRunner);
	// the first producer to CAS it to 0 unparks the thread, so a busy loop is never woken
	volatile int parked;

	LoopThread(EventLoop loop, String name, Runnable body, boolean daemon, boolean mayBlock) {
		super(body, name);
		this.loop = loop;
		this.pendingHops = mayBlock ? ConcurrentHashMap.newKeySet() : null;
		setDaemon(daemon);
	}

	/**
	 * Return whether the calling thread is this one.
	 */
	boolean isCurrent() {
		return Thread.currentThread() == this;
	}

	/**
	 * Unpark this thread if it is parked (any thread).
	 */
	void wakeUp() {
		if (this.parked != 0 && PARKED.compareAndSet(this, 1, 0)) {
			LockSupport.unpark(this);
		}
	}

}
