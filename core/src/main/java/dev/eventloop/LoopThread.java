package dev.eventloop;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * The platform thread of one {@link EventLoop}. Being a distinct {@link Thread} subclass
 * makes "which loop am I on" an {@code instanceof} check instead of a thread-local
 * lookup.
 */
final class LoopThread extends Thread {

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

	LoopThread(EventLoop loop, boolean daemon, boolean mayBlock) {
		super(() -> loop.runner().run(), loop.name());
		this.loop = loop;
		this.pendingHops = mayBlock ? ConcurrentHashMap.newKeySet() : null;
		setDaemon(daemon);
	}

}
