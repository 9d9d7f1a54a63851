package dev.eventloop;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The most recent lag samples of one loop. Written by the loop thread only, read by any
 * thread through the atomic array (a reader may see a mix of old and new samples, which
 * is fine for percentiles).
 */
final class LagRing {

	private static final int SIZE = 256;

	private final AtomicLongArray samples = new AtomicLongArray(SIZE);

	// written by the loop thread only, read by any thread
	private volatile long count;

	void record(long lagNanos) {
		long n = this.count;
		this.samples.lazySet((int) (n % SIZE), lagNanos);
		this.count = n + 1;
	}

	long last() {
		long n = this.count;
		return (n == 0) ? 0 : this.samples.get((int) ((n - 1) % SIZE));
	}

	/**
	 * Return the given percentiles (0..1) of the recent samples, in nanoseconds.
	 */
	long[] percentiles(double... quantiles) {
		int n = (int) Math.min(this.count, SIZE);
		long[] result = new long[quantiles.length];
		if (n == 0) {
			return result;
		}
		long[] copy = new long[n];
		for (int i = 0; i < n; i++) {
			copy[i] = this.samples.get(i);
		}
		Arrays.sort(copy);
		for (int i = 0; i < quantiles.length; i++) {
			int index = (int) Math.ceil(quantiles[i] * n) - 1;
			result[i] = copy[Math.max(0, Math.min(n - 1, index))];
		}
		return result;
	}

}
