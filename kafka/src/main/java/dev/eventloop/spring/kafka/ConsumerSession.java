package dev.eventloop.spring.kafka;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.Consumer;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * One consumer thread of a listener container, as the starter sees it: the records it has
 * admitted (at most {@code max-in-flight} not yet completed; the rest wait here, in
 * arrival order, with their partitions paused), and work that must run on the consumer
 * thread because it uses the consumer (the error handler), run between its polls.
 */
final class ConsumerSession {

	private final MessageListenerContainer container;

	private final Thread thread;

	private final int maxInFlight;

	// records admitted and not yet completed; guarded by this
	private int admitted;

	// records waiting for admission, oldest first; guarded by this
	private final ArrayDeque<RecordWork> waiting = new ArrayDeque<>();

	// work for the consumer thread; any thread adds, the consumer thread runs
	private final Queue<Runnable> inbox = new ConcurrentLinkedQueue<>();

	// the consumer, once it has polled: the one the error handler is given; written and
	// read by the consumer thread, read by others only to wake it up
	private volatile @Nullable Consumer<?, ?> consumer;

	// a partition was paused or resumed by the inbox: the poll in progress must return
	// so that the container applies it; consumer thread only
	private boolean pauseChanged;

	ConsumerSession(MessageListenerContainer container, Thread thread, int maxInFlight) {
		this.container = container;
		this.thread = thread;
		this.maxInFlight = maxInFlight;
	}

	MessageListenerContainer container() {
		return this.container;
	}

	@Nullable Consumer<?, ?> consumer() {
		return this.consumer;
	}

	void polling(Consumer<?, ?> consumer) {
		this.consumer = consumer;
	}

	/**
	 * Admit a record if fewer than the bound are in flight and none waits; otherwise have
	 * it wait. Return whether it was admitted.
	 */
	synchronized boolean admit(RecordWork work) {
		if (this.admitted < this.maxInFlight && this.waiting.isEmpty()) {
			this.admitted++;
			return true;
		}
		this.waiting.add(work);
		return false;
	}

	/**
	 * An admitted record has completed: return the waiting record admitted in its place,
	 * if any.
	 */
	synchronized @Nullable RecordWork completed() {
		this.admitted--;
		RecordWork next = this.waiting.poll();
		if (next != null) {
			this.admitted++;
		}
		return next;
	}

	/**
	 * Take out the waiting records that match (those of revoked partitions).
	 */
	synchronized List<RecordWork> removeWaiting(Predicate<RecordWork> filter) {
		List<RecordWork> removed = new ArrayList<>();
		this.waiting.removeIf((work) -> filter.test(work) && removed.add(work));
		return removed;
	}

	/**
	 * Have the consumer thread run a task between its polls, waking it up if it waits in
	 * one.
	 */
	void onConsumerThread(Runnable task) {
		boolean first = this.inbox.isEmpty();
		this.inbox.add(task);
		Consumer<?, ?> consumer = this.consumer;
		if (first && consumer != null && Thread.currentThread() != this.thread) {
			consumer.wakeup();
		}
	}

	/**
	 * The records held of a partition of this consumer went from none to some or back:
	 * bring its pause up to date on the consumer thread. Any thread.
	 */
	void pauseChanged(PartitionTracker partition) {
		onConsumerThread(() -> {
			if (partition.applyPause()) {
				this.pauseChanged = true;
			}
		});
	}

	/**
	 * Whether a partition was paused or resumed since the last call, so that the poll in
	 * progress is to return and let the container apply it (it does so between polls
	 * only). Consumer thread only.
	 */
	boolean takePauseChanged() {
		boolean changed = this.pauseChanged;
		this.pauseChanged = false;
		return changed;
	}

	/**
	 * Run the tasks handed to the consumer thread. Consumer thread only.
	 */
	void runInbox() {
		assert Thread.currentThread() == this.thread;
		Runnable task;
		while ((task = this.inbox.poll()) != null) {
			task.run();
		}
	}

	@Override
	public String toString() {
		return "consumer " + this.thread.getName() + " of " + this.container.getListenerId();
	}

}
