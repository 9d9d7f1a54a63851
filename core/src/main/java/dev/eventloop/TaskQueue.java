package dev.eventloop;

import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscUnboundedXaddArrayQueue;
import org.jctools.queues.QueueProgressIndicators;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;
import org.jspecify.annotations.Nullable;

/**
 * The task queue of one loop: a multi-producer, single-consumer queue shared by user
 * tasks and internal work (completion hops, timer purges), so that tasks from one
 * producer run in the order they were queued. When bounded, the bound counts user tasks
 * only: a full queue never refuses internal work.
 *
 * <p>
 * Producers: any thread. Consumer: the loop thread, or after termination whoever holds
 * the sweep lock ({@link #sweep()}).
 */
final class TaskQueue {

	private static final System.Logger logger = System.getLogger(EventLoop.class.getName());

	private static final VarHandle PENDING;

	static {
		try {
			PENDING = MethodHandles.lookup().findVarHandle(TaskQueue.class, "pending", int.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	/**
	 * Whether to use JCTools' queue built on {@code sun.misc.Unsafe}: on JDK 24 and
	 * later, where its memory-access methods print a deprecation warning at first use
	 * (JEP 498), the variant built on field updaters is used instead.
	 */
	static final boolean UNSAFE_QUEUE = Runtime.version().feature() < 24;

	/** What {@link #pollToDrain(long)} returns when the drain must end; never queued. */
	static final Runnable DRAIN_OVER = () -> {
	};

	private final MessagePassingQueue<Runnable> queue;

	private final String loopName;

	private final LoopLifecycle lifecycle;

	private final LoopCounters counters;

	private final LoopThread thread;

	private final Ticker ticker;

	// how long a producer that is not a loop thread waits for room, zero: not at all
	private final long submitTimeoutNanos;

	// serialises every consumer of the queue other than the running loop thread
	private final Object sweepLock = new Object();

	// the same queue, for its producer index
	private final QueueProgressIndicators progress;

	// the bound on queued user tasks, zero when unbounded
	private final int capacity;

	// any thread: user tasks queued and not yet taken, counted only when bounded
	// (producers reserve a place by CAS, the consumer frees it)
	private volatile int pending;

	// any thread: internal tasks offered, subtracted
	// from the producer index to count user submissions
	private final LongAdder internalOffered = new LongAdder();

	TaskQueue(int capacity, long submitTimeoutNanos, String loopName, LoopLifecycle lifecycle, LoopCounters counters,
			LoopThread thread, Ticker ticker) {
		this.capacity = capacity;
		this.submitTimeoutNanos = submitTimeoutNanos;
		this.loopName = loopName;
		this.lifecycle = lifecycle;
		this.counters = counters;
		this.thread = thread;
		this.ticker = ticker;
		if (UNSAFE_QUEUE) {
			MpscUnboundedXaddArrayQueue<Runnable> queue = new MpscUnboundedXaddArrayQueue<>(1024, 4);
			this.queue = queue;
			this.progress = queue;
		}
		else {
			MpscUnboundedAtomicArrayQueue<Runnable> queue = new MpscUnboundedAtomicArrayQueue<>(1024);
			this.queue = queue;
			this.progress = queue;
		}
	}

	int capacity() {
		return this.capacity;
	}

	/**
	 * Reserve a place for one user task in a bounded queue.
	 * @return whether there was room
	 */
	private boolean tryReserve() {
		int queued;
		do {
			queued = this.pending;
			if (queued >= this.capacity) {
				return false;
			}
		}
		while (!PENDING.compareAndSet(this, queued, queued + 1));
		return true;
	}

	/**
	 * Queue a user task for the loop, within the bound.
	 * @throws RejectedExecutionException if the loop is shutting down or terminated, or
	 * the bounded queue is full
	 */
	void enqueue(Runnable task) {
		if (!this.lifecycle.acceptsTasks()) {
			throw rejectedBecauseShutdown();
		}
		if (this.capacity != 0 && !reserve()) {
			this.counters.rejectedOne();
			throw new RejectedExecutionException(
					"Event loop '" + this.loopName + "' rejected a task: its queue is full (" + this.capacity
							+ " tasks). Slow down the producers, raise the queue capacity, "
							+ "or set a submit timeout so that producers wait for space.");
		}
		this.queue.offer(task);
		afterOffer();
	}

	/**
	 * Refuse a task because the loop is shutting down or terminated: counted as rejected.
	 * @return the exception to throw or to fail the task's future with
	 */
	RejectedExecutionException rejectedBecauseShutdown() {
		this.counters.rejectedOne();
		return new RejectedExecutionException("Event loop '" + this.loopName + "' is " + this.lifecycle.state()
				+ " and accepts no new tasks. Submit work before the application shuts down, "
				+ "or check EventLoop.state() first.");
	}

	/**
	 * Queue internal work for the loop, whatever the bound, until it has terminated.
	 * @throws RejectedExecutionException once the loop has terminated
	 */
	void enqueueInternal(LoopTask task) {
		if (this.lifecycle.isTerminated()) {
			throw new RejectedExecutionException("Event loop '" + this.loopName + "' has terminated");
		}
		this.internalOffered.increment();
		this.queue.offer(task);
		afterOffer();
	}

	private void afterOffer() {
		if (this.lifecycle.isTerminated()) {
			// raced with termination after its final sweep: sweep again so that this task
			// is abandoned rather than stranded
			sweep();
		}
		else if (!this.thread.isCurrent()) {
			this.thread.wakeUp();
		}
	}

	/**
	 * Reserve a place for one user task in a bounded queue, waiting up to the loop's
	 * submit timeout if the caller is not a loop thread (loop threads never wait for
	 * another loop's queue).
	 * @return whether a place was reserved
	 * @throws java.util.concurrent.RejectedExecutionException if the loop stops accepting
	 * tasks while the caller waits
	 */
	private boolean reserve() {
		if (tryReserve()) {
			return true;
		}
		long waitNanos = this.submitTimeoutNanos;
		if (waitNanos == 0 || EventLoop.currentOrNull() != null) {
			return false;
		}
		long deadline = this.ticker.nanoTime() + waitNanos;
		while (this.lifecycle.acceptsTasks()) {
			this.thread.wakeUp();
			// the loop is what a thread dump shows it waits for
			LockSupport.parkNanos(this.thread.loop, 20_000);
			if (tryReserve()) {
				return true;
			}
			if (this.ticker.nanoTime() - deadline >= 0) {
				return false;
			}
		}
		throw rejectedBecauseShutdown();
	}

	@Nullable Runnable poll() {
		Runnable task = this.queue.poll();
		if (task != null) {
			taken(task);
		}
		return task;
	}

	/**
	 * Poll without waiting for a producer that has claimed a slot but not yet filled it.
	 */
	@Nullable Runnable relaxedPoll() {
		Runnable task = this.queue.relaxedPoll();
		if (task != null) {
			taken(task);
		}
		return task;
	}

	private void taken(Runnable task) {
		if (this.capacity != 0 && !LoopTask.isInternal(task)) {
			PENDING.getAndAdd(this, -1);
		}
	}

	/**
	 * Take the next task for the drain at shutdown, under the sweep lock, unless the loop
	 * has terminated or the deadline has passed (loop thread only).
	 * @return the task, {@code null} if none is ready, or {@link #DRAIN_OVER} when the
	 * drain must end
	 */
	@Nullable Runnable pollToDrain(long deadline) {
		assert this.thread.isCurrent();
		synchronized (this.sweepLock) {
			if (this.lifecycle.state() == LoopState.TERMINATED || this.ticker.nanoTime() - deadline > 0) {
				return DRAIN_OVER;
			}
			return poll();
		}
	}

	/**
	 * Abandon everything still queued. Only after TERMINATED, and under the sweep lock,
	 * so that there is one consumer at a time (any thread).
	 * @return how many user tasks were abandoned
	 */
	int sweep() {
		int count = 0;
		synchronized (this.sweepLock) {
			RejectedExecutionException cause = new RejectedExecutionException("Event loop '" + this.loopName
					+ "' shut down before this task ran (its shutdown timeout ran out, the watchdog "
					+ "stopped a stuck task, or the loop died: its log says which). "
					+ "Raise the shutdown timeout, or stop submitting work earlier.");
			Runnable task;
			while ((task = poll()) != null) {
				// read before abandon() changes it
				boolean internal = LoopTask.isInternal(task);
				if (task instanceof LoopTask loopTask) {
					loopTask.abandon(cause);
				}
				else if (task instanceof AbandonableTask abandonable) {
					tell(abandonable, cause);
				}
				if (!internal) {
					count++;
				}
			}
		}
		this.counters.abandoned(count);
		return count;
	}

	private void tell(AbandonableTask task, RejectedExecutionException cause) {
		try {
			task.abandoned(cause);
		}
		catch (Throwable ex) {
			// a user's callback, on the sweeping thread (the loop's, a producer's or the
			// watchdog's): whatever it throws must not keep the rest of the queue from
			// being told, nor the loop from terminating
			logger.log(Level.WARNING, "A task abandoned by event loop '" + this.loopName + "' failed to take it", ex);
		}
	}

	boolean isEmpty() {
		return this.queue.isEmpty();
	}

	int size() {
		return this.queue.size();
	}

	/**
	 * Return how many user tasks were ever offered.
	 */
	long userOffered() {
		return this.progress.currentProducerIndex() - this.internalOffered.sum();
	}

}
