package dev.eventloop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.OptionalLong;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * The timers of one loop: a binary min-heap ordered by deadline, then by the order in
 * which the timers were armed. Each timer knows its index in the heap, so that a timer
 * cancelled on the loop thread leaves the heap at once.
 *
 * <p>
 * Owned by the loop thread: every method but {@link #forEachPending(Consumer)} is called
 * on it only. Each change ends with a release store of the size, so that a thread that
 * terminates a loop stuck in one task can read the heap as the loop left it.
 */
final class TimerQueue {

	private static final VarHandle SIZE;

	static {
		try {
			SIZE = MethodHandles.lookup().findVarHandle(TimerQueue.class, "size", int.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private static final int INITIAL_CAPACITY = 16;

	// loop thread only (see the class comment for other readers)
	private ScheduledTask[] heap = new ScheduledTask[INITIAL_CAPACITY];

	// loop thread writes with release semantics; any thread may read
	private int size;

	// loop thread only: the order in which timers were armed, to break deadline ties
	private long sequence;

	// the first deadline, written by the loop thread before each release store of the
	// size, so that a reader who acquires a non-zero size sees it
	private long firstDeadline;

	/**
	 * Arm a timer: it joins the heap and gets the next sequence number.
	 */
	void add(ScheduledTask timer) {
		ScheduledTask[] heap = this.heap;
		int index = this.size;
		if (index == heap.length) {
			heap = Arrays.copyOf(heap, heap.length * 2);
			this.heap = heap;
		}
		timer.sequence = this.sequence++;
		siftUp(heap, index, timer);
		publish(index + 1);
	}

	/**
	 * Return the sequence number the next armed timer will get: timers armed from now on
	 * have this number or a higher one.
	 */
	long nextSequence() {
		return this.sequence;
	}

	@Nullable ScheduledTask peek() {
		return (this.size == 0) ? null : this.heap[0];
	}

	/**
	 * Remove and return the first timer, which the caller has just peeked.
	 */
	ScheduledTask poll() {
		ScheduledTask first = this.heap[0];
		removeAt(0);
		return first;
	}

	/**
	 * Remove a timer wherever it is in the heap.
	 * @return whether it was there
	 */
	boolean remove(ScheduledTask timer) {
		int index = timer.heapIndex;
		if (index < 0 || index >= this.size || this.heap[index] != timer) {
			return false;
		}
		removeAt(index);
		return true;
	}

	/**
	 * Drop every timer whose future is already done (cancelled from another thread), and
	 * shrink the heap if it is mostly empty.
	 * @return how many were dropped
	 */
	int purgeDone() {
		ScheduledTask[] heap = this.heap;
		int kept = 0;
		int size = this.size;
		for (int i = 0; i < size; i++) {
			ScheduledTask timer = heap[i];
			if (timer.future.isDone()) {
				timer.heapIndex = -1;
			}
			else {
				heap[kept++] = timer;
			}
		}
		Arrays.fill(heap, kept, size, null);
		int capacity = Math.max(INITIAL_CAPACITY, Integer.highestOneBit(Math.max(1, kept)) * 2);
		if (capacity < heap.length) {
			heap = Arrays.copyOf(heap, capacity);
			this.heap = heap;
		}
		for (int i = 0; i < kept; i++) {
			heap[i].heapIndex = i;
		}
		for (int i = (kept >>> 1) - 1; i >= 0; i--) {
			siftDown(heap, kept, i, heap[i]);
		}
		publish(kept);
		return size - kept;
	}

	int size() {
		return (int) SIZE.getOpaque(this);
	}

	private void publish(int size) {
		if (size > 0) {
			this.firstDeadline = this.heap[0].deadlineNanos;
		}
		SIZE.setRelease(this, size);
	}

	/**
	 * Return the first deadline, read from any thread.
	 */
	OptionalLong firstDeadline() {
		return ((int) SIZE.getAcquire(this) > 0) ? OptionalLong.of(this.firstDeadline) : OptionalLong.empty();
	}

	/**
	 * Visit the timers still in the heap without removing them. Safe on another thread
	 * only while the loop thread cannot change the heap (it is stuck in one task, and the
	 * loop no longer accepts timers).
	 */
	void forEachPending(Consumer<ScheduledTask> action) {
		int size = (int) SIZE.getAcquire(this);
		ScheduledTask[] heap = this.heap;
		for (int i = 0; i < Math.min(size, heap.length); i++) {
			ScheduledTask timer = heap[i];
			if (timer != null) {
				action.accept(timer);
			}
		}
	}

	private void removeAt(int index) {
		ScheduledTask[] heap = this.heap;
		int last = this.size - 1;
		ScheduledTask removed = heap[index];
		ScheduledTask moved = heap[last];
		heap[last] = null;
		removed.heapIndex = -1;
		if (index != last) {
			siftDown(heap, last, index, moved);
			if (heap[index] == moved) {
				siftUp(heap, index, moved);
			}
		}
		publish(last);
	}

	private static void siftUp(ScheduledTask[] heap, int index, ScheduledTask timer) {
		while (index > 0) {
			int parent = (index - 1) >>> 1;
			ScheduledTask above = heap[parent];
			if (ScheduledTask.compare(timer, above) >= 0) {
				break;
			}
			heap[index] = above;
			above.heapIndex = index;
			index = parent;
		}
		heap[index] = timer;
		timer.heapIndex = index;
	}

	private static void siftDown(ScheduledTask[] heap, int size, int index, ScheduledTask timer) {
		int half = size >>> 1;
		while (index < half) {
			int child = (index << 1) + 1;
			ScheduledTask smaller = heap[child];
			int right = child + 1;
			if (right < size && ScheduledTask.compare(heap[right], smaller) < 0) {
				child = right;
				smaller = heap[child];
			}
			if (ScheduledTask.compare(timer, smaller) <= 0) {
				break;
			}
			heap[index] = smaller;
			smaller.heapIndex = index;
			index = child;
		}
		heap[index] = timer;
		timer.heapIndex = index;
	}

}
