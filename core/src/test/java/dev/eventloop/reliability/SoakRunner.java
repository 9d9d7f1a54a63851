package dev.eventloop.reliability;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import dev.eventloop.EventLoop;
import dev.eventloop.LoopState;

/**
 * The on-demand soak: the load of {@link LoadTests} for a given duration (ten minutes by
 * default), then a drain and a report. Run it with {@code scripts/soak.sh [duration]};
 * the duration is {@code 90s}, {@code 10m}, {@code 1h} or ISO-8601 ({@code PT10M}). Exits
 * with status 1 if any task was lost or ran out of order.
 */
public final class SoakRunner {

	private SoakRunner() {
	}

	/**
	 * Run the soak.
	 * @param args optional duration
	 * @throws Exception if the run cannot complete
	 */
	public static void main(String[] args) throws Exception {
		Duration duration = parse((args.length > 0) ? args[0] : "10m");
		LoadGenerator.Settings settings = new LoadGenerator.Settings();
		settings.producerJoinBound = duration.plusMinutes(2);
		System.out.printf(Locale.ROOT, "soak: %s for %s on %d cpus, %s, max heap %d MiB%n", settings, format(duration),
				Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
				Runtime.getRuntime().maxMemory() >> 20);
		int exitCode;
		try (LoadGenerator load = new LoadGenerator(settings)) {
			long heapBefore = LoadGenerator.usedHeapAfterGc();
			Thread progress = new Thread(() -> reportProgress(load), "soak-progress");
			progress.setDaemon(true);
			long start = System.nanoTime();
			progress.start();
			load.runFor(duration);
			long producedNanos = System.nanoTime() - start;
			progress.interrupt();
			long accepted = load.accepted.sum();
			long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
			while (load.bodyRan.sum() < accepted && System.nanoTime() - deadline < 0) {
				// polling the drain with a bound, in a command-line tool
				Thread.sleep(50);
			}
			long drainedNanos = System.nanoTime() - start;
			boolean healthy = load.loops()
				.stream()
				.map(EventLoop::stats)
				.allMatch((stats) -> stats.state() == LoopState.RUNNING && !stats.stall().stalled() && !stats.died());
			long heapAfter = LoadGenerator.usedHeapAfterGc();
			load.shutdown(Duration.ofSeconds(30));

			long ran = load.bodyRan.sum();
			long lost = accepted - ran;
			long unreported = load.acceptedReporting.sum() - load.outcomesReported();
			long violations = load.orderViolations.sum() + load.affinityViolations.sum() + load.keysWithMissingTail()
					+ load.futureFailedOther.sum() + load.rejectionsWithoutClearMessage.sum();
			boolean countersAgree = load.sum((stats) -> stats.tasks().submitted()) == accepted
					&& load.sum((stats) -> stats.tasks().completed())
							+ load.sum((stats) -> stats.tasks().failed()) == ran
					&& load.sum((stats) -> stats.tasks().failed()) == load.bodyThrew.sum()
					&& load.sum((stats) -> stats.tasks().rejected()) == load.rejected.sum()
					&& load.sum((stats) -> stats.tasks().abandoned()) == 0;
			double seconds = drainedNanos / 1e9;

			System.out.println();
			System.out.println("soak results");
			row("duration", format(Duration.ofNanos(producedNanos)) + " of load, drained after "
					+ format(Duration.ofNanos(drainedNanos)));
			row("loops", load.loops().size() + " in " + load.groups().size() + " groups, " + settings.producers
					+ " producers, " + load.keys() + " keys");
			row("tasks submitted", String.format(Locale.ROOT, "%,d", load.attempted.sum()));
			row("tasks accepted", String.format(Locale.ROOT, "%,d", accepted));
			row("tasks/s", String.format(Locale.ROOT, "%,.0f", ran / seconds));
			row("lag p50 / p99 / max", millis(load.lagPercentile(0.5)) + " / " + millis(load.lagPercentile(0.99))
					+ " / " + millis(load.lagPercentile(1.0)) + " (" + load.lagSampleCount() + " probe samples)");
			row("max queue", String.format(Locale.ROOT, "%,d (capacity %,d per loop)", load.maxQueueSize.get(),
					settings.queueCapacity));
			row("rejected", String.format(Locale.ROOT, "%,d", load.rejected.sum()));
			row("failed (injected)", String.format(Locale.ROOT, "%,d (%,d via futures, %,d via the handler)",
					load.bodyThrew.sum(), load.futureFailedInjected.sum(), load.handlerFailures.sum()));
			row("lost", String.format(Locale.ROOT, "%,d", lost));
			row("outcomes not reported", String.format(Locale.ROOT, "%,d", unreported));
			row("order/affinity violations", String.format(Locale.ROOT, "%,d", violations));
			row("loop counters agree", String.valueOf(countersAgree));
			row("loops healthy at end", String.valueOf(healthy));
			row("heap before / after", (heapBefore >> 10) + " KiB / " + (heapAfter >> 10) + " KiB (after GC)");
			row("finished", Instant.now().toString());
			exitCode = (lost == 0 && unreported == 0 && violations == 0 && countersAgree && healthy) ? 0 : 1;
		}
		System.exit(exitCode);
	}

	private static void reportProgress(LoadGenerator load) {
		long start = System.nanoTime();
		long lastRan = 0;
		long lastAt = start;
		while (true) {
			try {
				Thread.sleep(30_000); // progress period of the command-line report
			}
			catch (InterruptedException ex) {
				return;
			}
			long now = System.nanoTime();
			long ran = load.bodyRan.sum();
			long queued = load.loops().stream().mapToLong((loop) -> loop.stats().queue().size()).sum();
			System.out.printf(Locale.ROOT, "  %6s  %,12d tasks  %,10.0f tasks/s  queued %,7d  heap %,7d KiB%n",
					format(Duration.ofNanos(now - start)), ran, (ran - lastRan) / ((now - lastAt) / 1e9), queued,
					(Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 10);
			lastRan = ran;
			lastAt = now;
		}
	}

	private static void row(String name, String value) {
		System.out.printf(Locale.ROOT, "  %-26s %s%n", name, value);
	}

	private static String millis(long nanos) {
		return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
	}

	private static String format(Duration duration) {
		long seconds = duration.toSeconds();
		return (seconds >= 60) ? (seconds / 60) + "m" + String.format(Locale.ROOT, "%02d", seconds % 60) + "s"
				: String.format(Locale.ROOT, "%.1fs", duration.toMillis() / 1000.0);
	}

	static Duration parse(String text) {
		String value = text.trim().toLowerCase(Locale.ROOT);
		try {
			if (value.startsWith("pt")) {
				return Duration.parse(text.trim());
			}
			if (value.endsWith("ms")) {
				return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
			}
			long amount = Long.parseLong(value.substring(0, value.length() - 1));
			return switch (value.charAt(value.length() - 1)) {
				case 's' -> Duration.ofSeconds(amount);
				case 'm' -> Duration.ofMinutes(amount);
				case 'h' -> Duration.ofHours(amount);
				default -> throw new IllegalArgumentException(text);
			};
		}
		catch (RuntimeException ex) {
			throw new IllegalArgumentException("Soak duration '" + text
					+ "' is not understood: use a number with s, m or h (for example 90s or 10m), or ISO-8601 (PT10M)",
					ex);
		}
	}

}
