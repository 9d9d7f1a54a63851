package dev.eventloop.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties of key affinity: {@link EventLoopGroup#forKey(Object)} maps equal keys to
 * the same loop, always, and spreads distinct keys evenly over the group.
 */
class ForKeyPropertyTests {

	// created on first use by the property thread, shut down after the container
	private static final Map<Integer, EventLoopGroup> groups = new HashMap<>();

	@AfterAll
	static void shutdownGroups() {
		groups.values().forEach((group) -> group.shutdownGracefully(Duration.ZERO).join());
		groups.clear();
	}

	private static EventLoopGroup group(int size) {
		return groups.computeIfAbsent(size,
				(threads) -> EventLoopGroup.builder("affinity" + threads).threads(threads).daemon(true).build());
	}

	@Test
	void equalKeysAlwaysMapToTheSameLoopOfTheGroup() {
		PropertyTrials.run(200, (random) -> {
			int size = 1 + random.nextInt(8);
			List<Object> keys = new ArrayList<>();
			int count = 1 + random.nextInt(50);
			for (int i = 0; i < count; i++) {
				keys.add(randomKey(random));
			}
			EventLoopGroup group = group(size);
			for (Object key : keys) {
				EventLoop loop = group.forKey(key);
				assertThat(group.loops()).contains(loop);
				assertThat(loop.group()).isSameAs((size == 1) ? loop : group);
				// an equal but distinct key, asked again, and asked after other keys
				assertThat(group.forKey(equalCopy(key))).isSameAs(loop);
				assertThat(group.forKey(key)).isSameAs(loop);
			}
			for (Object key : keys) {
				assertThat(group.forKey(equalCopy(key))).isSameAs(group.forKey(key));
			}
		});
	}

	@Test
	void distinctKeysSpreadEvenlyOverTheLoops() {
		PropertyTrials.run(60, (random) -> {
			int size = 2 + random.nextInt(7);
			KeyShape shape = KeyShape.values()[random.nextInt(KeyShape.values().length)];
			EventLoopGroup group = group(size);
			int keysPerLoop = 2_000;
			Map<EventLoop, Integer> counts = new HashMap<>();
			long base = random.nextLong(1L << 40);
			for (int i = 0; i < size * keysPerLoop; i++) {
				counts.merge(group.forKey(shape.key(base, i, size, random)), 1, Integer::sum);
			}
			// expected 2000 per loop: a loop with under half or over twice that is a skew
			// no hash of these keys should produce (tens of standard deviations)
			assertThat(counts).as("%s over %d loops", shape, size).hasSize(size);
			assertThat(counts.values()).as("%s over %d loops", shape, size)
				.allSatisfy((count) -> assertThat(count).isBetween(keysPerLoop / 2, keysPerLoop * 2));
		});
	}

	private static Object randomKey(SplittableRandom random) {
		return switch (random.nextInt(5)) {
			case 0 -> randomString(random, 20, false);
			case 1 -> random.nextInt();
			case 2 -> random.nextLong();
			case 3 -> new UUID(random.nextLong(), random.nextLong());
			default -> new CustomerKey(randomString(random, 8, true), random.nextInt());
		};
	}

	private static String randomString(SplittableRandom random, int maxLength, boolean alpha) {
		int length = random.nextInt(maxLength + 1);
		StringBuilder builder = new StringBuilder(length);
		for (int i = 0; i < length; i++) {
			builder.append(alpha ? (char) ('a' + random.nextInt(26)) : (char) random.nextInt(0x20, 0x3000));
		}
		return builder.toString();
	}

	private static Object equalCopy(Object key) {
		if (key instanceof String string) {
			return new String(string.toCharArray());
		}
		if (key instanceof UUID uuid) {
			return new UUID(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits());
		}
		if (key instanceof CustomerKey customer) {
			return new CustomerKey(new String(customer.region().toCharArray()), customer.id());
		}
		if (key instanceof Long value) {
			return Long.valueOf(value.longValue());
		}
		return Integer.valueOf(((Integer) key).intValue());
	}

	/**
	 * A composite key, as applications use: equal by value.
	 */
	record CustomerKey(String region, int id) {
	}

	/**
	 * Families of keys with regular hash codes, the kind that defeat a naive modulo.
	 */
	enum KeyShape {

		SEQUENTIAL_INTEGERS {
			@Override
			Object key(long base, int index, int size, SplittableRandom random) {
				return (int) base + index;
			}
		},

		LONGS_IN_STRIDES_OF_THE_GROUP_SIZE {
			@Override
			Object key(long base, int index, int size, SplittableRandom random) {
				return base + (long) index * size * 1024;
			}
		},

		ORDER_NUMBER_STRINGS {
			@Override
			Object key(long base, int index, int size, SplittableRandom random) {
				return "order-" + (base + index);
			}
		},

		RANDOM_UUIDS {
			@Override
			Object key(long base, int index, int size, SplittableRandom random) {
				return new UUID(random.nextLong(), random.nextLong());
			}
		},

		COMPOSITE_KEYS {
			@Override
			Object key(long base, int index, int size, SplittableRandom random) {
				return new CustomerKey("region-" + (index % 7), index);
			}
		};

		abstract Object key(long base, int index, int size, SplittableRandom random);

	}

}
