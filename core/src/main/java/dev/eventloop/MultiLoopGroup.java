package dev.eventloop;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A group of two or more loops named {@code <name>-<index>}.
 */
final class MultiLoopGroup implements EventLoopGroup {

	private static final System.Logger logger = System.getLogger(EventLoopGroup.class.getName());

	/** Loops per processor beyond which a group is reported oversized. */
	static final int OVERSIZED_PER_PROCESSOR = 8;

	private final String name;

	private final EventLoop[] loops;

	private final List<EventLoop> loopList;

	// any thread; only its low bits matter
	private final AtomicInteger nextIndex = new AtomicInteger();

	MultiLoopGroup(String name, int threads, LoopSettings settings) {
		warnIfOversized(name, threads, Runtime.getRuntime().availableProcessors());
		this.name = name;
		this.loops = new EventLoop[threads];
		List<EventLoop> started = new ArrayList<>(threads);
		try {
			for (int i = 0; i < threads; i++) {
				this.loops[i] = new EventLoop(name + "-" + i, settings, this);
				this.loops[i].start();
				started.add(this.loops[i]);
			}
		}
		catch (RuntimeException | Error ex) {
			started.forEach((loop) -> loop.shutdownGracefully(Duration.ZERO));
			throw ex;
		}
		this.loopList = Collections.unmodifiableList(started);
	}

	/**
	 * Warn about a group with many more loops than the machine has processors: each loop
	 * is a platform thread, and loops beyond the processor count add context switches and
	 * memory, not throughput. A group with more loops than processors, but not many more,
	 * gets a note at {@code INFO} that short tasks want at most one loop per processor.
	 * @return whether a warning was logged
	 */
	static boolean warnIfOversized(String name, int threads, int processors) {
		if (threads <= processors) {
			return false;
		}
		if (threads <= OVERSIZED_PER_PROCESSOR * processors) {
			logger.log(Level.INFO,
					"Event loop group '" + name + "' has " + threads + " loops on a machine with " + processors
							+ " processors. For short tasks use at most one loop per processor, fewer when the callers "
							+ "keep processors busy too: a loop waiting for a core holds up every task queued on it "
							+ "(docs/configuration.md, eventloop.loops.<name>.threads).");
			return false;
		}
		logger.log(Level.WARNING,
				"Event loop group '" + name + "' has " + threads + " loops on a machine with " + processors
						+ " processors. Each loop is a platform thread that runs one task at a time; loops beyond "
						+ "the processor count add context switches and memory, not throughput. Use fewer loops "
						+ "(keys still spread over them with forKey), and move blocking work off the loops with "
						+ "AsyncContext.offload instead of adding loops to wait in.");
		return true;
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public int size() {
		return this.loops.length;
	}

	@Override
	public List<EventLoop> loops() {
		return this.loopList;
	}

	@Override
	public EventLoop next() {
		return this.loops[Math.floorMod(this.nextIndex.getAndIncrement(), this.loops.length)];
	}

	@Override
	public EventLoop forKey(Object key) {
		Objects.requireNonNull(key, () -> "Affinity key for event loop group '" + this.name + "' must not be null");
		return this.loops[indexFor(key, this.loops.length)];
	}

	/**
	 * Map a key to a loop index: the hash code is mixed (murmur3 finaliser) so that keys
	 * with regular hash codes still spread evenly.
	 */
	static int indexFor(Object key, int size) {
		int h = key.hashCode();
		h ^= h >>> 16;
		h *= 0x85ebca6b;
		h ^= h >>> 13;
		h *= 0xc2b2ae35;
		h ^= h >>> 16;
		return Math.floorMod(h, size);
	}

	@Override
	public CompletableFuture<Void> shutdownGracefully(Duration timeout) {
		CompletableFuture<?>[] futures = new CompletableFuture<?>[this.loops.length];
		for (int i = 0; i < this.loops.length; i++) {
			futures[i] = this.loops[i].shutdownGracefully(timeout);
		}
		return CompletableFuture.allOf(futures);
	}

	@Override
	public String toString() {
		return "EventLoopGroup[" + this.name + ", " + this.loops.length + " loops]";
	}

}
