package dev.eventloop.spring.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.eventloop.BlockingPolicy;
import dev.eventloop.IdleStrategy;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties for managed event loops, under the {@code eventloop} prefix.
 *
 * @since 0.1.0
 */
@ConfigurationProperties("eventloop")
public class EventLoopProperties {

	/**
	 * Whether to create and manage event loops.
	 */
	private boolean enabled = true;

	/**
	 * Policy applied when code on an event-loop thread blocks on a result that is not
	 * ready: fail, warn or allow. Also applies to event-loop threads of other libraries
	 * (Reactor, Netty, Vert.x).
	 */
	private BlockingPolicy blockingPolicy = BlockingPolicy.FAIL;

	/**
	 * Time given to the loops at application shutdown to run the tasks still queued.
	 */
	private Duration shutdownTimeout = Duration.ofSeconds(30);

	/**
	 * Maximum nesting of inline dispatches on one loop before further dispatches are
	 * queued instead.
	 */
	private int maxInlineDepth = 16;

	private final Defaults defaults = new Defaults();

	/**
	 * Event loops by name. An entry with one thread (the default) is one loop of that
	 * name; with more threads it is a group whose loops are named after it with the
	 * suffixes -0, -1 and so on. An entry without settings is written with an empty value
	 * (for example "pricing:" in YAML). When empty, one loop named "default" is created.
	 */
	private final Map<String, Loop> loops = new LinkedHashMap<>();

	/**
	 * Return whether event loops are created and managed.
	 * @return whether event loops are enabled
	 */
	public boolean isEnabled() {
		return this.enabled;
	}

	/**
	 * Set whether event loops are created and managed.
	 * @param enabled whether event loops are enabled
	 */
	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	/**
	 * Return the blocking policy.
	 * @return the policy applied when a loop thread blocks on an unfinished result
	 */
	public BlockingPolicy getBlockingPolicy() {
		return this.blockingPolicy;
	}

	/**
	 * Set the blocking policy.
	 * @param blockingPolicy the policy applied when a loop thread blocks on an unfinished
	 * result
	 */
	public void setBlockingPolicy(BlockingPolicy blockingPolicy) {
		this.blockingPolicy = blockingPolicy;
	}

	/**
	 * Return the drain budget at shutdown.
	 * @return the time given to the loops to run queued tasks at shutdown
	 */
	public Duration getShutdownTimeout() {
		return this.shutdownTimeout;
	}

	/**
	 * Set the drain budget at shutdown.
	 * @param shutdownTimeout the time given to the loops to run queued tasks at shutdown
	 */
	public void setShutdownTimeout(Duration shutdownTimeout) {
		this.shutdownTimeout = shutdownTimeout;
	}

	/**
	 * Return the maximum nesting of inline dispatches.
	 * @return the maximum inline depth
	 */
	public int getMaxInlineDepth() {
		return this.maxInlineDepth;
	}

	/**
	 * Set the maximum nesting of inline dispatches.
	 * @param maxInlineDepth the maximum inline depth, at least one
	 */
	public void setMaxInlineDepth(int maxInlineDepth) {
		this.maxInlineDepth = maxInlineDepth;
	}

	/**
	 * Return the settings applied to every loop that does not override them.
	 * @return the default loop settings
	 */
	public Defaults getDefaults() {
		return this.defaults;
	}

	/**
	 * Return the configured loops by name.
	 * @return the loops, in configuration order
	 */
	public Map<String, Loop> getLoops() {
		return this.loops;
	}

	/**
	 * Settings applied to every loop unless the loop overrides them.
	 *
	 * @since 0.1.0
	 */
	public static class Defaults {

		/**
		 * Maximum number of tasks queued on each loop; 0 means unbounded.
		 */
		private int queueCapacity;

		/**
		 * How long one task may run before its loop is reported stalled.
		 */
		private Duration stallThreshold = Duration.ofSeconds(2);

		/**
		 * Scheduling lag above which a running loop is reported lagging (health DOWN):
		 * work given to it waits longer than this before it runs.
		 */
		private Duration lagThreshold = Duration.ofSeconds(2);

		/**
		 * How often the lag probe measures how late a loop runs a scheduled task.
		 */
		private Duration lagProbeInterval = Duration.ofMillis(100);

		/**
		 * What an idle loop thread does: park, or spin-then-park for lower latency at the
		 * cost of CPU.
		 */
		private IdleStrategy idleStrategy = IdleStrategy.PARK;

		/**
		 * Return the default queue capacity.
		 * @return the maximum number of queued tasks per loop, 0 for unbounded
		 */
		public int getQueueCapacity() {
			return this.queueCapacity;
		}

		/**
		 * Set the default queue capacity.
		 * @param queueCapacity the maximum number of queued tasks per loop, 0 for
		 * unbounded
		 */
		public void setQueueCapacity(int queueCapacity) {
			this.queueCapacity = queueCapacity;
		}

		/**
		 * Return the default stall threshold.
		 * @return how long one task may run before its loop is reported stalled
		 */
		public Duration getStallThreshold() {
			return this.stallThreshold;
		}

		/**
		 * Set the default stall threshold.
		 * @param stallThreshold how long one task may run before its loop is reported
		 * stalled
		 */
		public void setStallThreshold(Duration stallThreshold) {
			this.stallThreshold = stallThreshold;
		}

		/**
		 * Return the default lag threshold.
		 * @return the scheduling lag above which a loop is reported lagging
		 */
		public Duration getLagThreshold() {
			return this.lagThreshold;
		}

		/**
		 * Set the default lag threshold.
		 * @param lagThreshold the scheduling lag above which a loop is reported lagging
		 */
		public void setLagThreshold(Duration lagThreshold) {
			this.lagThreshold = lagThreshold;
		}

		/**
		 * Return the default lag-probe interval.
		 * @return how often the lag probe runs
		 */
		public Duration getLagProbeInterval() {
			return this.lagProbeInterval;
		}

		/**
		 * Set the default lag-probe interval.
		 * @param lagProbeInterval how often the lag probe runs
		 */
		public void setLagProbeInterval(Duration lagProbeInterval) {
			this.lagProbeInterval = lagProbeInterval;
		}

		/**
		 * Return the default idle strategy.
		 * @return what an idle loop thread does
		 */
		public IdleStrategy getIdleStrategy() {
			return this.idleStrategy;
		}

		/**
		 * Set the default idle strategy.
		 * @param idleStrategy what an idle loop thread does
		 */
		public void setIdleStrategy(IdleStrategy idleStrategy) {
			this.idleStrategy = idleStrategy;
		}

	}

	/**
	 * Settings of one configured loop or group of loops. Unset values fall back to
	 * {@link Defaults}.
	 *
	 * @since 0.1.0
	 */
	public static class Loop {

		/**
		 * Number of loop threads in the group.
		 */
		private int threads = 1;

		/**
		 * Maximum number of tasks queued on each loop of the group; 0 means unbounded.
		 */
		private @Nullable Integer queueCapacity;

		/**
		 * How long one task may run before the loop is reported stalled.
		 */
		private @Nullable Duration stallThreshold;

		/**
		 * Scheduling lag above which the running loop is reported lagging (health DOWN).
		 */
		private @Nullable Duration lagThreshold;

		/**
		 * How often the lag probe measures how late the loop runs a scheduled task.
		 */
		private @Nullable Duration lagProbeInterval;

		/**
		 * What an idle loop thread does: park or spin-then-park.
		 */
		private @Nullable IdleStrategy idleStrategy;

		/**
		 * Create the settings of a loop configured with an empty value ({@code pricing:}
		 * in YAML or {@code eventloop.loops.pricing=} in a properties file), which takes
		 * every default.
		 * @param value the configured value, which must be empty
		 * @return settings with every default
		 * @throws IllegalArgumentException if the value is not empty
		 */
		public static Loop valueOf(String value) {
			if (!value.isBlank()) {
				throw new IllegalArgumentException("Event loop settings must be empty or a group of properties such as"
						+ " 'threads' and 'queue-capacity', but was '" + value + "'");
			}
			return new Loop();
		}

		/**
		 * Return the number of loop threads.
		 * @return the number of loops in the group
		 */
		public int getThreads() {
			return this.threads;
		}

		/**
		 * Set the number of loop threads.
		 * @param threads the number of loops in the group, at least one
		 */
		public void setThreads(int threads) {
			this.threads = threads;
		}

		/**
		 * Return the queue capacity of each loop, if set.
		 * @return the capacity, or {@code null} to use the default
		 */
		public @Nullable Integer getQueueCapacity() {
			return this.queueCapacity;
		}

		/**
		 * Set the queue capacity of each loop.
		 * @param queueCapacity the capacity, 0 for unbounded, or {@code null} to use the
		 * default
		 */
		public void setQueueCapacity(@Nullable Integer queueCapacity) {
			this.queueCapacity = queueCapacity;
		}

		/**
		 * Return the stall threshold, if set.
		 * @return the threshold, or {@code null} to use the default
		 */
		public @Nullable Duration getStallThreshold() {
			return this.stallThreshold;
		}

		/**
		 * Set the stall threshold.
		 * @param stallThreshold the threshold, or {@code null} to use the default
		 */
		public void setStallThreshold(@Nullable Duration stallThreshold) {
			this.stallThreshold = stallThreshold;
		}

		/**
		 * Return the lag threshold of this loop.
		 * @return the threshold, or {@code null} to use the default
		 */
		public @Nullable Duration getLagThreshold() {
			return this.lagThreshold;
		}

		/**
		 * Set the lag threshold of this loop.
		 * @param lagThreshold the threshold, or {@code null} to use the default
		 */
		public void setLagThreshold(@Nullable Duration lagThreshold) {
			this.lagThreshold = lagThreshold;
		}

		/**
		 * Return the lag-probe interval, if set.
		 * @return the interval, or {@code null} to use the default
		 */
		public @Nullable Duration getLagProbeInterval() {
			return this.lagProbeInterval;
		}

		/**
		 * Set the lag-probe interval.
		 * @param lagProbeInterval the interval, or {@code null} to use the default
		 */
		public void setLagProbeInterval(@Nullable Duration lagProbeInterval) {
			this.lagProbeInterval = lagProbeInterval;
		}

		/**
		 * Return the idle strategy, if set.
		 * @return the idle strategy, or {@code null} to use the default
		 */
		public @Nullable IdleStrategy getIdleStrategy() {
			return this.idleStrategy;
		}

		/**
		 * Set the idle strategy.
		 * @param idleStrategy the idle strategy, or {@code null} to use the default
		 */
		public void setIdleStrategy(@Nullable IdleStrategy idleStrategy) {
			this.idleStrategy = idleStrategy;
		}

	}

}
