package dev.eventloop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;

import org.jctools.queues.MpscUnboundedXaddArrayQueue;
import org.jspecify.annotations.Nullable;

/**
 * The task queue of one loop: a multi-producer, single-consumer queue shared by user
 * tasks and internal work (completion hops, timer purges), so that tasks from one
 * producer run in the order they were queued. When bounded, the bound counts user tasks
 * only: a full queue never refuses internal work.
 *
 * <p>
 * Producers: any thread. Consumer: the loop thread, or after termination whoever holds
 * the loop's sweep lock.
 */
final class TaskQueue {

	private static final VarHandle PENDING;

	static {
		try {
			PENDING = MethodHandles.lookup().findVarHandle(TaskQueue.class, "pending", int.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final MpscUnboundedXaddArrayQueue<Runnable> queue = new MpscUnboundedXaddArrayQueue<>(1024, 4);

	// the bound on queued user tasks, zero when unbounded
	private final int capacity;

	// any thread: user tasks queued and not yet taken, counted only when bounded
	// (producers reserve a place by CAS, the consumer frees it)
	private volatile int pending;

	// any thread: internal tasks offered, subtracted from the producer index to count
	// user submissions
	private final LongAdder internalOffered = new LongAdder();

	TaskQueue(int capacity) {
		this.capacity = capacity;
	}

	int capacity() {
		return this.capacity;
	}

	boolean bounded() {
		return this.capacity != 0;
	}

	/**
	 * Reserve a place for one user task in a bounded queue.
	 * @return whether there was room
	 */
	boolean tryReserve() {
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
	 * Queue a user task, after {@link #tryReserve()} when bounded.
	 */
	void offer(Runnable task) {
		this.queue.offer(task);
	}

	/**
	 * Queue internal work, whatever the bound.
	 */
	void offerInternal(InternalTask task) {
		this.internalOffered.increment();
		this.queue.offer(task);
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
		if (this.capacity != 0 && !(task instanceof InternalTask)) {
			PENDING.getAndAdd(this, -1);
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
		return this.queue.currentProducerIndex() - this.internalOffered.sum();
	}

}
