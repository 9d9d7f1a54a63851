package dev.eventloop.spring.kafka;

import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.eventloop.EventLoop;

/**
 * The way into one loop for records: at most {@code highWaterMark} of them wait in the
 * loop's queue; the rest are held here, in arrival order, and handed to the loop as it
 * runs the queued ones. Records of one key always take the same lane, so holding never
 * reorders them. Never lets a {@link RejectedExecutionException} out: a record the loop
 * refuses is held and offered again.
 */
final class LoopLane {

	private static final long RETRY_DELAY_MICROS = 500;

	private final EventLoop loop;

	private final ScheduledExecutorService retries;

	private final int highWaterMark;

	// records waiting for room on the loop, oldest first; guarded by this
	private final ArrayDeque<RecordWork> held = new ArrayDeque<>();

	// records handed to the loop's queue that have not started yet; guarded by this
	private int queued;

	// whether a retry of drain() is scheduled on the loop's timer; guarded by this
	private boolean retryScheduled;

	// records of this lane not yet completed, held ones included; any thread
	private final AtomicInteger inFlight = new AtomicInteger();

	// records for this loop waiting for an earlier record of their key; any thread
	private final AtomicInteger waitingForKey = new AtomicInteger();

	LoopLane(EventLoop loop, int highWaterMark, ScheduledExecutorService retries) {
		this.loop = loop;
		this.retries = retries;
		int capacity = loop.stats().queue().capacity();
		this.highWaterMark = (capacity > 0) ? Math.max(1, Math.min(highWaterMark, capacity)) : highWaterMark;
	}

	EventLoop loop() {
		return this.loop;
	}

	/**
	 * Take a new record: hand it to the loop if the loop has room and nothing is held,
	 * otherwise hold it.
	 */
	void offer(RecordWork work) {
		this.inFlight.incrementAndGet();
		offerAgain(work);
	}

	/**
	 * Take a record that is already counted in flight (a retry after a failure).
	 */
	void offerAgain(RecordWork work) {
		boolean hold;
		synchronized (this) {
			hold = !this.held.isEmpty() || this.queued >= this.highWaterMark || !submit(work);
			if (hold) {
				this.held.add(work);
				work.held();
			}
		}
		if (hold) {
			scheduleRetryIfStuck();
		}
	}

	/**
	 * Count a queued record that has started running. Loop thread only.
	 */
	void started() {
		assert this.loop.inLoop();
		synchronized (this) {
			this.queued--;
		}
	}

	void completed() {
		this.inFlight.decrementAndGet();
	}

	/**
	 * Hand held records to the loop while it has room. Called on the loop thread after
	 * each record has run, and from the retry scheduler when the loop refused a record.
	 */
	void drain() {
		synchronized (this) {
			this.retryScheduled = false;
			RecordWork next = this.held.peek();
			while (next != null && this.queued < this.highWaterMark && submit(next)) {
				this.held.poll();
				next.released();
				next = this.held.peek();
			}
		}
		scheduleRetryIfStuck();
	}

	// guarded by this
	private boolean submit(RecordWork work) {
		try {
			this.loop.execute(work);
			this.queued++;
			return true;
		}
		catch (RejectedExecutionException ex) {
			return false;
		}
	}

	/**
	 * When records are held but none of this lane's are queued (the loop's queue is full
	 * of other work), no completion will drain the lane: retry shortly from the retry
	 * scheduler.
	 */
	private void scheduleRetryIfStuck() {
		synchronized (this) {
			if (this.held.isEmpty() || this.queued > 0 || this.retryScheduled) {
				return;
			}
			this.retryScheduled = true;
		}
		try {
			this.retries.schedule(this::drain, RETRY_DELAY_MICROS, TimeUnit.MICROSECONDS);
		}
		catch (RejectedExecutionException ex) {
			// the application is stopping: held records stay unacknowledged and are
			// delivered again after a restart
			synchronized (this) {
				this.retryScheduled = false;
			}
		}
	}

	void waitingForKey(int delta) {
		this.waitingForKey.addAndGet(delta);
	}

	int waitingForKey() {
		return this.waitingForKey.get();
	}

	int inFlight() {
		return this.inFlight.get();
	}

	synchronized int held() {
		return this.held.size();
	}

	synchronized int queued() {
		return this.queued;
	}

	int highWaterMark() {
		return this.highWaterMark;
	}

	@Override
	public String toString() {
		return "lane of " + this.loop.name();
	}

}
