package dev.eventloop;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

/**
 * One item at a time per key: an item {@link #enter enters} the lane of its key and may
 * start at once when the key is idle, or waits behind the items of its key that entered
 * before it; when the key's current item is done, {@link #leave} hands over the next one.
 * What "start" and "done" mean is the caller's: for asynchronous work, done is when its
 * future completes, not when the method that started it returns, so work of one key never
 * overlaps while work of other keys keeps flowing.
 * <p>
 * The lanes start nothing themselves: {@code enter} and {@code leave} return the item the
 * caller is to start now, so that a chain of items completing at once is started in a
 * loop, never by recursion. Thread-safe: items of one key may enter and leave on any
 * threads; each key's order is the order of its {@code enter} calls. A key's lane exists
 * only while one of its items is started or waiting.
 * <p>
 * {@link AsyncContext#dispatchSequentially AsyncContext.dispatchSequentially} runs
 * asynchronous work on loops through lanes; the starter's Kafka support holds its records
 * in them.
 *
 * @param <T> the type of the items
 * @since 0.1.0
 */
public final class KeyLanes<T> {

	// one lane per key with an item started or waiting; each lane is read and written
	// only inside compute calls on its key, which lock the key's bin
	private final ConcurrentHashMap<Object, Lane<T>> lanes = new ConcurrentHashMap<>();

	// items waiting behind the started item of their key, all keys together
	private final AtomicInteger waiting = new AtomicInteger();

	/**
	 * Let an item enter the lane of its key.
	 * @param key the key, compared with {@code equals}
	 * @param item the item
	 * @return {@code true} if the key was idle, so the caller is to start the item now;
	 * {@code false} if it waits behind the items of its key that entered before it, to be
	 * returned by a {@link #leave} of the key
	 */
	public boolean enter(Object key, T item) {
		boolean[] idle = new boolean[1];
		this.lanes.compute(key, (k, lane) -> {
			if (lane == null) {
				idle[0] = true;
				return new Lane<>();
			}
			lane.waiting.add(item);
			lane.size = lane.waiting.size();
			return lane;
		});
		if (!idle[0]) {
			this.waiting.incrementAndGet();
		}
		return idle[0];
	}

	/**
	 * The started item of a key is done: return the next item of the key, which is now
	 * started, or {@code null} if none waits (the key is idle again).
	 * @param key the key
	 * @return the item the caller is to start now, or {@code null}
	 */
	public @Nullable T leave(Object key) {
		List<T> next = new ArrayList<>(1);
		this.lanes.computeIfPresent(key, (k, lane) -> {
			T item = lane.waiting.poll();
			if (item == null) {
				return null;
			}
			lane.size = lane.waiting.size();
			next.add(item);
			return lane;
		});
		if (next.isEmpty()) {
			return null;
		}
		this.waiting.decrementAndGet();
		return next.get(0);
	}

	/**
	 * Take out the waiting items that match, from every lane: they will not be returned
	 * by {@link #leave}. Started items are not affected.
	 * @param filter which waiting items to take out
	 * @return the items taken out, in each key's order
	 */
	public List<T> removeWaiting(Predicate<? super T> filter) {
		List<T> removed = new ArrayList<>();
		for (Object key : this.lanes.keySet()) {
			this.lanes.computeIfPresent(key, (k, lane) -> {
				lane.waiting.removeIf((item) -> filter.test(item) && removed.add(item));
				lane.size = lane.waiting.size();
				return lane;
			});
		}
		this.waiting.addAndGet(-removed.size());
		return removed;
	}

	/**
	 * Return how many items wait behind the started item of their key, all keys together.
	 * @return the number of waiting items
	 */
	public int waiting() {
		return this.waiting.get();
	}

	/**
	 * Return how many keys have an item started or waiting.
	 * @return the number of busy keys
	 */
	public int busyKeys() {
		return this.lanes.size();
	}

	/**
	 * Return the keys with the most items waiting, most first: a snapshot for monitoring,
	 * each count read at a slightly different moment.
	 * @param limit how many keys at most
	 * @return keys and their numbers of waiting items, keys with none left out
	 */
	public List<Map.Entry<Object, Integer>> mostWaiting(int limit) {
		List<Map.Entry<Object, Integer>> keys = new ArrayList<>();
		this.lanes.forEach((key, lane) -> {
			int size = lane.size;
			if (size > 0) {
				keys.add(Map.entry(key, size));
			}
		});
		keys.sort(Comparator.comparing(Map.Entry<Object, Integer>::getValue).reversed());
		return (keys.size() > limit) ? List.copyOf(keys.subList(0, limit)) : keys;
	}

	@Override
	public String toString() {
		return "KeyLanes[busyKeys=" + busyKeys() + ", waiting=" + waiting() + "]";
	}

	private static final class Lane<T> {

		// items behind the started one, oldest first; inside compute calls only
		final ArrayDeque<T> waiting = new ArrayDeque<>(2);

		// waiting.size(), for monitoring from any thread
		volatile int size;

	}

}
