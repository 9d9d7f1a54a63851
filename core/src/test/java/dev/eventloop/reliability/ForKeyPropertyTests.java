package dev.eventloop.reliability;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties of key affinity: {@link EventLoopGroup#forKey(Object)} maps equal keys to
 * the same loop, always, and spreads distinct keys evenly over the group.
 */
class ForKeyPropertyTests {

	// created on first use by the property thread, shut down after the container
	private static final Map<Integer, EventLoopGroup> groups = new HashMap<>();

	@AfterContainer
	static void shutdownGroups() {
		groups.values().forEach((group) -> group.shutdownGracefully(Duration.ZERO).join());
		groups.clear();
	}

	private static EventLoopGroup group(int size) {
		return groups.computeIfAbsent(size,
				(threads) -> EventLoopGroup.builder("affinity" + threads).threads(threads).daemon(true).build());
	}

	@Property(tries = 200)
	void equalKeysAlwaysMapToTheSameLoopOfTheGroup(@ForAll @IntRange(min = 1, max = 8) int size,
			@ForAll @Size(min = 1, max = 50) List<@From("keys") Object> keys) {
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
	}

	@Property(tries = 60)
	void distinctKeysSpreadEvenlyOverTheLoops(@ForAll @IntRange(min = 2, max = 8) int size, @ForAll KeyShape shape,
			@ForAll long seed) {
		EventLoopGroup group = group(size);
		int keysPerLoop = 2_000;
		Map<EventLoop, Integer> counts = new HashMap<>();
		SplittableRandom random = new SplittableRandom(seed);
		long base = random.nextLong(1L << 40);
		for (int i = 0; i < size * keysPerLoop; i++) {
			counts.merge(group.forKey(shape.key(base, i, size, random)), 1, Integer::sum);
		}
		// expected 2000 per loop: a loop with under half or over twice that is a skew
		// no hash of these keys should produce (tens of standard deviations)
		assertThat(counts).hasSize(size);
		assertThat(counts.values())
			.allSatisfy((count) -> assertThat(count).isBetween(keysPerLoop / 2, keysPerLoop * 2));
	}

	@Provide
	Arbitrary<Object> keys() {
		return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(20).map(Object.class::cast),
				Arbitraries.integers().map(Object.class::cast), Arbitraries.longs().map(Object.class::cast),
				Arbitraries.create(UUID::randomUUID).map(Object.class::cast),
				Combinators.combine(Arbitraries.strings().alpha().ofMaxLength(8), Arbitraries.integers())
					.as(CustomerKey::new)
					.map(Object.class::cast));
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
