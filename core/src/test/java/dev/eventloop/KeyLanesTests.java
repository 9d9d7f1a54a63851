package dev.eventloop;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link KeyLanes}: one started item per key, the rest waiting in entry order.
 */
class KeyLanesTests {

	private final KeyLanes<String> lanes = new KeyLanes<>();

	@Test
	void anIdleKeyStartsAtOnceAndLaterItemsWaitInEntryOrder() {
		assertThat(this.lanes.enter("a", "a1")).isTrue();
		assertThat(this.lanes.enter("a", "a2")).isFalse();
		assertThat(this.lanes.enter("a", "a3")).isFalse();
		assertThat(this.lanes.enter("b", "b1")).isTrue();
		assertThat(this.lanes.waiting()).isEqualTo(2);
		assertThat(this.lanes.busyKeys()).isEqualTo(2);
		assertThat(this.lanes.leave("a")).isEqualTo("a2");
		assertThat(this.lanes.leave("a")).isEqualTo("a3");
		assertThat(this.lanes.leave("a")).isNull();
		assertThat(this.lanes.busyKeys()).isEqualTo(1);
		assertThat(this.lanes.enter("a", "a4")).isTrue();
		assertThat(this.lanes.waiting()).isZero();
	}

	@Test
	void waitingItemsCanBeTakenOutWithoutTouchingStartedOnes() {
		this.lanes.enter("a", "a1");
		this.lanes.enter("a", "drop-a2");
		this.lanes.enter("a", "a3");
		this.lanes.enter("b", "b1");
		this.lanes.enter("b", "drop-b2");
		assertThat(this.lanes.removeWaiting((item) -> item.startsWith("drop"))).containsExactlyInAnyOrder("drop-a2",
				"drop-b2");
		assertThat(this.lanes.waiting()).isEqualTo(1);
		assertThat(this.lanes.leave("a")).isEqualTo("a3");
		assertThat(this.lanes.leave("b")).isNull();
	}

	@Test
	void theKeysWithMostItemsWaitingComeFirst() {
		for (int i = 0; i < 4; i++) {
			this.lanes.enter("hot", "hot" + i);
		}
		this.lanes.enter("warm", "warm0");
		this.lanes.enter("warm", "warm1");
		this.lanes.enter("cold", "cold0");
		List<Map.Entry<Object, Integer>> most = this.lanes.mostWaiting(1);
		assertThat(most).containsExactly(Map.entry("hot", 3));
		assertThat(this.lanes.mostWaiting(10)).containsExactly(Map.entry("hot", 3), Map.entry("warm", 1));
	}

	@Test
	void manyThreadsNeverStartTwoItemsOfOneKeyAndLoseNone() throws Exception {
		int threads = 4;
		int perThread = 20_000;
		KeyLanes<Integer> lanes = new KeyLanes<>();
		Map<Integer, AtomicInteger> started = new ConcurrentHashMap<>();
		AtomicInteger overlaps = new AtomicInteger();
		AtomicInteger completed = new AtomicInteger();
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		CountDownLatch go = new CountDownLatch(1);
		try {
			List<Future<?>> futures = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				int base = t * perThread;
				futures.add(pool.submit(() -> {
					go.await();
					for (int i = 0; i < perThread; i++) {
						int key = i % 64;
						Integer item = base + i;
						if (lanes.enter(key, item)) {
							// run this item and every one handed over, as a caller would
							Integer current = item;
							while (current != null) {
								if (started.computeIfAbsent(key, (k) -> new AtomicInteger()).incrementAndGet() != 1) {
									overlaps.incrementAndGet();
								}
								completed.incrementAndGet();
								started.get(key).decrementAndGet();
								current = lanes.leave(key);
							}
						}
					}
					return null;
				}));
			}
			go.countDown();
			for (Future<?> future : futures) {
				future.get(30, TimeUnit.SECONDS);
			}
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(overlaps).hasValue(0);
		assertThat(completed).hasValue(threads * perThread);
		assertThat(lanes.waiting()).isZero();
		assertThat(lanes.busyKeys()).isZero();
	}

}
