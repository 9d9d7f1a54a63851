package dev.eventloop.spring.kafka;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import dev.eventloop.LoopFuture;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.consumer.Consumer;

import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.ListenerExecutionFailedException;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.util.backoff.FixedBackOff;

/**
 * Failed records on their way through the container's error handler: one record per
 * partition at a time, in the order they failed, handed to the handler on the consumer
 * thread of their partition (with its consumer, as the container itself would), and
 * retried on their loop's timer after the back-off the handler asked for. The key of a
 * failed record waits meanwhile; other keys flow.
 */
final class RecordFailures {

	private static final Log logger = LogFactory.getLog(RecordFailures.class);

	// the pause before a record is delivered again after its error handler threw
	static final Duration HANDLER_FAILURE_DELAY = Duration.ofSeconds(1);

	// a handleOne call that asked for no back-off and took this long likely slept
	private static final long SLEPT_MILLIS = 5;

	private final KafkaRecordDispatcher dispatcher;

	// failed records waiting for the error handler, by partition; guarded by the map
	private final Map<PartitionTracker, ArrayDeque<FailedRecord>> failures = new ConcurrentHashMap<>();

	// error handlers already warned about
	private final Set<CommonErrorHandler> warned = ConcurrentHashMap.newKeySet();

	// error handlers seen asking a LoopBackOffHandler for a back-off
	private final Set<CommonErrorHandler> loopBackOff = ConcurrentHashMap.newKeySet();

	// failed records waiting on a loop timer for their retry, by partition; guarded by
	// the map
	private final Map<PartitionTracker, Map<RecordWork, LoopFuture<Void>>> backingOff = new HashMap<>();

	// the handler used for containers that have none, as the container itself would
	private final DefaultErrorHandler fallbackErrorHandler = new DefaultErrorHandler(null, new FixedBackOff(0, 9),
			new LoopBackOffHandler());

	RecordFailures(KafkaRecordDispatcher dispatcher) {
		this.dispatcher = dispatcher;
	}

	/**
	 * Pass a failed record to the error handler, after the failures of its partition that
	 * came before it. Any thread.
	 */
	void failed(RecordWork work, Throwable failure) {
		if (work.partition().forgotten()) {
			this.dispatcher.completed(work, false);
			return;
		}
		FailedRecord failed = new FailedRecord(work, failure);
		boolean first;
		synchronized (this.failures) {
			ArrayDeque<FailedRecord> queue = this.failures.computeIfAbsent(work.partition(),
					(key) -> new ArrayDeque<>());
			FailedRecord current = queue.peek();
			if (current != null && current.work() == work) {
				// a retry failed again: it stays at the head of its partition's queue
				queue.poll();
				queue.addFirst(failed);
				first = true;
			}
			else {
				queue.add(failed);
				first = queue.size() == 1;
			}
		}
		if (first) {
			work.session().onConsumerThread(() -> handle(failed));
		}
	}

	/**
	 * A record is done with (it succeeded, was recovered or was given up): if it was the
	 * failure being handled for its partition, hand the next one to the error handler.
	 */
	void resolved(RecordWork work) {
		if (this.failures.isEmpty()) {
			return;
		}
		FailedRecord next;
		synchronized (this.failures) {
			ArrayDeque<FailedRecord> queue = this.failures.get(work.partition());
			if (queue == null || queue.peek() == null || queue.peek().work() != work) {
				return;
			}
			queue.poll();
			next = queue.peek();
			if (next == null) {
				this.failures.remove(work.partition());
			}
		}
		if (next != null) {
			FailedRecord handled = next;
			next.work().session().onConsumerThread(() -> handle(handled));
		}
	}

	/**
	 * Hand a failed record to the error handler. Consumer thread only: the handler gets
	 * the consumer, and counts attempts per thread and partition as in the container.
	 */
	private void handle(FailedRecord failed) {
		RecordWork work = failed.work();
		MessageListenerContainer container = work.container();
		Consumer<?, ?> consumer = work.session().consumer();
		if (work.partition().forgotten() || !container.isRunning() || consumer == null) {
			this.dispatcher.completed(work, false);
			return;
		}
		CommonErrorHandler handler = (container instanceof AbstractMessageListenerContainer<?, ?> listenerContainer)
				? listenerContainer.getCommonErrorHandler() : null;
		CommonErrorHandler errorHandler = (handler != null) ? handler : this.fallbackErrorHandler;
		boolean recovered = false;
		boolean threw = false;
		long backOff;
		long started = System.nanoTime();
		LoopBackOffHandler.record();
		try {
			recovered = errorHandler.handleOne(wrap(failed, container), work.record(), consumer, container);
		}
		catch (RuntimeException ex) {
			threw = true;
			logger.error("Error handler " + errorHandler + " failed for record "
					+ KafkaRecordDispatcher.describe(work.record()) + "; delivering it again in "
					+ HANDLER_FAILURE_DELAY.toMillis() + " ms", ex);
		}
		finally {
			backOff = LoopBackOffHandler.recorded();
		}
		if (backOff >= 0) {
			this.loopBackOff.add(errorHandler);
		}
		if (recovered) {
			// done with, acknowledged or not (ackAfterHandle): the container too commits
			// past a record recovered without acknowledgement once a later record of its
			// partition is acknowledged
			this.dispatcher.completed(work, true);
		}
		else if (container.isRunning() && !work.partition().forgotten()) {
			if (threw) {
				// not the back-off's doing: a pause keeps a handler that always throws
				// from
				// turning the retries into a busy loop
				retry(work, HANDLER_FAILURE_DELAY.toMillis());
				return;
			}
			long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
			if (backOff < 0 && tookMillis >= SLEPT_MILLIS && !this.loopBackOff.contains(errorHandler)
					&& this.warned.add(errorHandler)) {
				// it asked no LoopBackOffHandler for a back-off, yet took a while: most
				// likely it slept through one (a handler that has one and asks for none,
				// such as after a failed recovery, is not warned about)
				logger.warn("Error handler " + errorHandler + " of listener container '" + container.getListenerId()
						+ "' took " + tookMillis + " ms on the consumer thread without asking a LoopBackOffHandler"
						+ " for a back-off, so its back-off, if any, ran there, holding up every partition of the"
						+ " consumer: build it with new DefaultErrorHandler(recoverer, backOff, new LoopBackOffHandler())");
			}
			retry(work, Math.max(0, backOff));
		}
		else {
			this.dispatcher.completed(work, false);
		}
	}

	/**
	 * Run a failed record again on its loop once its back-off has passed, on the loop's
	 * timer: its key waits, other keys flow. The timer is kept until it fires, so that a
	 * revocation can cancel it rather than wait for it.
	 */
	private void retry(RecordWork work, long delayMillis) {
		if (delayMillis == 0) {
			work.lane().offerAgain(work);
			return;
		}
		try {
			synchronized (this.backingOff) {
				// the timer's own removal waits for this put: it takes the same lock
				LoopFuture<Void> timer = work.lane().loop().schedule(() -> {
					if (backOffOver(work)) {
						work.lane().offerAgain(work);
					}
				}, Duration.ofMillis(delayMillis));
				this.backingOff.computeIfAbsent(work.partition(), (partition) -> new HashMap<>()).put(work, timer);
			}
		}
		catch (RejectedExecutionException ex) {
			this.dispatcher.completed(work, false);
		}
	}

	private boolean backOffOver(RecordWork work) {
		synchronized (this.backingOff) {
			Map<RecordWork, LoopFuture<Void>> timers = this.backingOff.get(work.partition());
			if (timers == null || timers.remove(work) == null) {
				return false;
			}
			if (timers.isEmpty()) {
				this.backingOff.remove(work.partition());
			}
			return true;
		}
	}

	/**
	 * Give up the retries waiting on loop timers of partitions being revoked, so that the
	 * revocation does not wait out their back-off: the next owner delivers them again. A
	 * timer that fires meanwhile runs its record, which finds its partition forgotten.
	 */
	void abandonRetries(Set<PartitionTracker> revoked) {
		List<RecordWork> abandoned = new ArrayList<>();
		synchronized (this.backingOff) {
			for (PartitionTracker partition : revoked) {
				Map<RecordWork, LoopFuture<Void>> timers = this.backingOff.get(partition);
				if (timers == null) {
					continue;
				}
				timers.entrySet().removeIf((entry) -> {
					boolean cancelled = entry.getValue().cancel(false);
					if (cancelled) {
						abandoned.add(entry.getKey());
					}
					return cancelled;
				});
				if (timers.isEmpty()) {
					this.backingOff.remove(partition);
				}
			}
		}
		abandoned.forEach((work) -> this.dispatcher.completed(work, false));
	}

	private static ListenerExecutionFailedException wrap(FailedRecord failed, MessageListenerContainer container) {
		Throwable failure = failed.failure();
		if (failure instanceof ListenerExecutionFailedException listenerFailure) {
			return listenerFailure;
		}
		return new ListenerExecutionFailedException(
				"Listener failed on event loop " + failed.work().lane().loop().name() + " for record "
						+ KafkaRecordDispatcher.describe(failed.work().record()),
				container.getGroupId(), failure);
	}

	private record FailedRecord(RecordWork work, Throwable failure) {
	}

}
