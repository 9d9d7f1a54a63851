package dev.eventloop;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A named, fixed set of {@link EventLoop event loops}. An {@link EventLoop} is itself a
 * group of one. Work for one key always goes to the same loop ({@link #forKey(Object)}),
 * so state owned by that key is confined to one thread and needs no locks.
 *
 * <p>
 * Instances are created by {@link #builder(String)} (or
 * {@link EventLoop#builder(String)}) and are started when returned. The interface is
 * sealed: groups come from this library only.
 *
 * @since 0.1.0
 */
public sealed interface EventLoopGroup extends AutoCloseable permits EventLoop, MultiLoopGroup {

	/**
	 * Return the name of the group. Loops of a group of more than one are named
	 * {@code <name>-<index>}.
	 * @return the group name
	 */
	String name();

	/**
	 * Return the number of loops in the group.
	 * @return the number of loops, at least one
	 */
	int size();

	/**
	 * Return the loops of the group, in index order.
	 * @return an unmodifiable list of the loops
	 */
	List<EventLoop> loops();

	/**
	 * Return the next loop in round-robin order, for work that has no affinity.
	 * @return a loop of this group
	 */
	EventLoop next();

	/**
	 * Return the loop that owns the given key. Equal keys map to the same loop for the
	 * life of the group; distinct keys spread over the group by their hash codes.
	 * @param key the affinity key, for example an account id
	 * @return the loop of this group that owns the key
	 */
	EventLoop forKey(Object key);

	/**
	 * Begin an orderly shutdown of every loop: new tasks are rejected, queued tasks run
	 * until the timeout, and whatever is still queued then completes exceptionally.
	 * @param timeout the drain budget
	 * @return a future completed when every loop of the group has terminated
	 */
	CompletableFuture<Void> shutdownGracefully(Duration timeout);

	/**
	 * Stop every loop now and wait until they have terminated: new tasks are rejected,
	 * and whatever is still queued is abandoned (its futures complete exceptionally and
	 * are counted) instead of drained. A loop stuck in one task is terminated without it
	 * once the watchdog sees it stalled. Use {@link #shutdownGracefully(Duration)} first
	 * to let queued work run. Does nothing for a group that has terminated.
	 */
	@Override
	default void close() {
		shutdownGracefully(Duration.ZERO).join();
	}

	/**
	 * Create a builder for a group of loops.
	 * @param name the group name, also the prefix of its loops' thread names
	 * @return a new builder
	 */
	static Builder builder(String name) {
		return new Builder(name);
	}

	/**
	 * Builder of {@link EventLoopGroup} instances. With one thread it builds a plain
	 * {@link EventLoop} of the group's name.
	 *
	 * @since 0.1.0
	 */
	final class Builder extends LoopBuilder<Builder> {

		private int threads = 1;

		Builder(String name) {
			super(name);
		}

		/**
		 * Set the number of loops in the group.
		 * @param threads the number of loop threads, at least one
		 * @return this builder
		 */
		public Builder threads(int threads) {
			if (threads < 1) {
				throw new IllegalArgumentException(
						"Event loop group '" + name() + "' needs at least one thread, but threads was " + threads);
			}
			this.threads = threads;
			return this;
		}

		/**
		 * Build and start the group.
		 * @return the started group; an {@link EventLoop} when it has one thread
		 */
		public EventLoopGroup build() {
			if (this.threads == 1) {
				EventLoop loop = new EventLoop(name(), settings(), null);
				loop.start();
				return loop;
			}
			return new MultiLoopGroup(name(), this.threads, settings());
		}

	}

}
