package dev.eventloop.reliability;

import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Runs a property over many random trials. Each trial gets its own generator seeded from
 * one base seed, and a failure names both seeds, so any failing trial can be replayed
 * with {@code -Deventloop.test.seed=<base seed>}.
 */
final class PropertyTrials {

	private PropertyTrials() {
	}

	static void run(int trials, Consumer<SplittableRandom> property) {
		String configured = System.getProperty("eventloop.test.seed");
		long baseSeed = (configured != null) ? Long.parseLong(configured) : System.nanoTime();
		SplittableRandom seeds = new SplittableRandom(baseSeed);
		for (int trial = 0; trial < trials; trial++) {
			long seed = seeds.nextLong();
			try {
				property.accept(new SplittableRandom(seed));
			}
			catch (AssertionError | RuntimeException ex) {
				throw new AssertionError("Property failed on trial " + trial + " of " + trials + " (trial seed " + seed
						+ "); replay with -Deventloop.test.seed=" + baseSeed, ex);
			}
		}
	}

}
