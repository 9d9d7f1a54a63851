package dev.eventloop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link EventLoopGroup}.
 */
class EventLoopGroupTests {

	private final List<EventLoopGroup> groups = new ArrayList<>();

	@AfterEach
	void shutdown() {
		this.groups.forEach((group) -> group.shutdownGracefully(Duration.ofSeconds(5)).join());
	}

	private EventLoopGroup group(String name, int threads) {
		EventLoopGroup group = EventLoopGroup.builder(name).threads(threads).build();
		this.groups.add(group);
		return group;
	}

	@Test
	void groupOfOneIsAnEventLoopOfTheGroupName() {
		EventLoopGroup group = group("single", 1);
		assertThat(group).isInstanceOf(EventLoop.class);
		assertThat(group.name()).isEqualTo("single");
		assertThat(group.loops()).containsExactly((EventLoop) group);
		assertThat(((EventLoop) group).group()).isSameAs(group);
	}

	@Test
	void loopsOfLargerGroupAreNamedWithTheirIndex() {
		EventLoopGroup group = group("orders", 3);
		assertThat(group.loops()).extracting(EventLoop::name).containsExactly("orders-0", "orders-1", "orders-2");
		assertThat(group.loops()).allSatisfy((loop) -> assertThat(loop.group()).isSameAs(group));
	}

	@Test
	void nextCyclesThroughEveryLoop() {
		EventLoopGroup group = group("round-robin", 4);
		List<EventLoop> picked = new ArrayList<>();
		for (int i = 0; i < 8; i++) {
			picked.add(group.next());
		}
		assertThat(picked.subList(0, 4)).containsExactlyInAnyOrderElementsOf(group.loops());
		assertThat(picked.subList(4, 8)).isEqualTo(picked.subList(0, 4));
	}

	@Test
	void forKeyMapsEqualKeysToTheSameLoopEveryTime() {
		EventLoopGroup group = group("affinity", 4);
		for (int i = 0; i < 1000; i++) {
			String key = "customer-" + i;
			EventLoop first = group.forKey(key);
			assertThat(group.forKey(new String(key))).isSameAs(first);
			assertThat(group.forKey(key)).isSameAs(first);
		}
	}

	@Test
	void forKeySpreadsDistinctKeysAcrossTheGroup() {
		EventLoopGroup group = group("spread", 4);
		Map<EventLoop, Integer> counts = new HashMap<>();
		for (int i = 0; i < 4000; i++) {
			counts.merge(group.forKey(i), 1, Integer::sum);
		}
		assertThat(counts).hasSize(4);
		assertThat(counts.values()).allSatisfy((count) -> assertThat(count).isBetween(700, 1300));
	}

	@Test
	void forKeyRejectsNullKeyNamingTheGroup() {
		EventLoopGroup group = group("no-null", 2);
		org.assertj.core.api.Assertions.assertThatNullPointerException()
			.isThrownBy(() -> group.forKey(null))
			.withMessageContaining("'no-null'");
	}

	@Test
	void perKeyOrderOfSubmissionsIsPreservedAcrossProducers() throws Exception {
		EventLoopGroup group = group("ordered", 4);
		int producers = 4;
		int keys = 64;
		int perKey = 500;
		Map<Integer, List<Integer>> seen = new ConcurrentHashMap<>();
		CountDownLatch done = new CountDownLatch(producers);
		for (int p = 0; p < producers; p++) {
			int producer = p;
			new Thread(() -> {
				for (int i = 0; i < perKey; i++) {
					for (int k = producer; k < keys; k += producers) {
						int key = k;
						int sequence = i;
						group.forKey(key)
							.execute(() -> seen.computeIfAbsent(key, (x) -> new ArrayList<>()).add(sequence));
					}
				}
				done.countDown();
			}).start();
		}
		assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
		for (EventLoop loop : group.loops()) {
			loop.submit(() -> null).get(30, TimeUnit.SECONDS);
		}
		assertThat(seen).hasSize(keys);
		seen.values().forEach((sequence) -> assertThat(sequence).hasSize(perKey).isSorted());
	}

	@Test
	void invalidSettingsAreRefusedWithTheSettingNamed() {
		assertThatIllegalArgumentException().isThrownBy(() -> EventLoopGroup.builder("bad").threads(0))
			.withMessageContaining("'bad'")
			.withMessageContaining("threads");
		assertThatIllegalArgumentException().isThrownBy(() -> EventLoop.builder("bad").queueCapacity(-1))
			.withMessageContaining("Queue capacity");
		assertThatIllegalArgumentException().isThrownBy(() -> EventLoop.builder("bad").stallThreshold(Duration.ZERO))
			.withMessageContaining("stallThreshold");
	}

}
