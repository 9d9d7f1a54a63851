package dev.eventloop.sample.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.eventloop.EventLoop;
import dev.eventloop.spring.OnEventLoop;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Applies orders to accounts. Every order of one account (the record key) runs on the
 * same loop of the {@code accounts} group, in offset order, so an account's balance is a
 * plain field that needs no lock; the order's sequence number checks that order.
 */
@Component
public class OrderLedger {

	private static final Log logger = LogFactory.getLog(OrderLedger.class);

	// accounts by id; each account is read and written only on its key's loop
	private final Map<String, Account> accounts = new ConcurrentHashMap<>();

	private final AtomicInteger applied = new AtomicInteger();

	private final AtomicInteger outOfOrder = new AtomicInteger();

	private final int expected;

	private final CountDownLatch done = new CountDownLatch(1);

	private final long workNanos;

	public OrderLedger(@Value("${sample.orders}") int expected,
			@Value("${sample.steady.order-work:0ms}") Duration work) {
		this.expected = expected;
		this.workNanos = work.toNanos();
	}

	/**
	 * Apply one order, {@code <sequence>:<amount>}, to the account of its key.
	 * @param record the order
	 * @return a future completed when the order is applied
	 */
	@KafkaListener(topics = KafkaSampleApplication.TOPIC)
	@OnEventLoop(value = "accounts", key = "#record.key()")
	public CompletableFuture<Void> apply(ConsumerRecord<String, String> record) {
		Account account = this.accounts.computeIfAbsent(record.key(), (id) -> new Account());
		String[] fields = record.value().split(":");
		int sequence = Integer.parseInt(fields[0]);
		if (sequence != account.lastSequence + 1) {
			this.outOfOrder.incrementAndGet();
		}
		account.lastSequence = sequence;
		account.balance += Long.parseLong(fields[1]);
		account.loop = EventLoop.current().map(EventLoop::name).orElse("?");
		work();
		if (this.applied.incrementAndGet() == this.expected) {
			logger.info("Applied " + this.expected + " orders to " + this.accounts.size() + " accounts on the"
					+ " accounts loops; orders out of sequence: " + this.outOfOrder.get());
			this.done.countDown();
		}
		return CompletableFuture.completedFuture(null);
	}

	// sample.steady.order-work: keeps the loop busy (runnable, not waiting) per order, as
	// real work would
	private void work() {
		if (this.workNanos > 0) {
			long end = System.nanoTime() + this.workNanos;
			while (System.nanoTime() - end < 0) {
				Thread.onSpinWait();
			}
		}
	}

	/**
	 * Wait until every expected order has been applied.
	 * @param timeout how long to wait
	 * @throws InterruptedException if interrupted while waiting
	 */
	public void awaitAll(Duration timeout) throws InterruptedException {
		if (!this.done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
			throw new IllegalStateException("Only " + this.applied.get() + " of " + this.expected
					+ " orders were applied within " + timeout + ": see the eventloops endpoint for held records");
		}
	}

	public int applied() {
		return this.applied.get();
	}

	public int outOfOrder() {
		return this.outOfOrder.get();
	}

	public Map<String, Account> accounts() {
		return this.accounts;
	}

	/**
	 * One account, confined to the loop of its id.
	 */
	public static final class Account {

		private int lastSequence = -1;

		private long balance;

		private String loop = "";

		public long balance() {
			return this.balance;
		}

		public String loop() {
			return this.loop;
		}

	}

}
