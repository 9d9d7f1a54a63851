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

	/**
	 * Whether to carry the caller's context (the current observation and trace, and
	 * whatever else is registered with Micrometer's context-propagation) onto work handed
	 * to a loop or offloaded.
	 */
	private boolean propagateContext = true;

	private final Defaults defaults = new Defaults();

	private final Blockhound blockhound = new Blockhound();

	private final Observations observations = new Observations();

	private final Offload offload = new Offload();

	/**
	 * Event loops by name. An entry with one thread (the default) is one loop of that
	 * name; with more threads it is a group whose loops are named after it with the
	 * suffixes -0, -1 and so on. An entry without settings is written with an empty value
	 * (for example "pricing:" in YAML). When empty, one loop named "default" is created.
	 */
	private final Map<String, Loop> loops = new LinkedHashMap<>();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public BlockingPolicy getBlockingPolicy() {
		return this.blockingPolicy;
	}

	public void setBlockingPolicy(BlockingPolicy blockingPolicy) {
		this.blockingPolicy = blockingPolicy;
	}

	public Duration getShutdownTimeout() {
		return this.shutdownTimeout;
	}

	public void setShutdownTimeout(Duration shutdownTimeout) {
		this.shutdownTimeout = shutdownTimeout;
	}

	public int getMaxInlineDepth() {
		return this.maxInlineDepth;
	}

	public void setMaxInlineDepth(int maxInlineDepth) {
		this.maxInlineDepth = maxInlineDepth;
	}

	public boolean isPropagateContext() {
		return this.propagateContext;
	}

	public void setPropagateContext(boolean propagateContext) {
		this.propagateContext = propagateContext;
	}

	public Defaults getDefaults() {
		return this.defaults;
	}

	public Blockhound getBlockhound() {
		return this.blockhound;
	}

	public Observations getObservations() {
		return this.observations;
	}

	public Offload getOffload() {
		return this.offload;
	}

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
		 * What an idle loop thread does: park; spin-then-park for lower latency at the
		 * cost of CPU; or adaptive, which spins only while tasks arrive at a high rate.
		 */
		private IdleStrategy idleStrategy = IdleStrategy.PARK;

		public int getQueueCapacity() {
			return this.queueCapacity;
		}

		public void setQueueCapacity(int queueCapacity) {
			this.queueCapacity = queueCapacity;
		}

		public Duration getStallThreshold() {
			return this.stallThreshold;
		}

		public void setStallThreshold(Duration stallThreshold) {
			this.stallThreshold = stallThreshold;
		}

		public Duration getLagThreshold() {
			return this.lagThreshold;
		}

		public void setLagThreshold(Duration lagThreshold) {
			this.lagThreshold = lagThreshold;
		}

		public Duration getLagProbeInterval() {
			return this.lagProbeInterval;
		}

		public void setLagProbeInterval(Duration lagProbeInterval) {
			this.lagProbeInterval = lagProbeInterval;
		}

		public IdleStrategy getIdleStrategy() {
			return this.idleStrategy;
		}

		public void setIdleStrategy(IdleStrategy idleStrategy) {
			this.idleStrategy = idleStrategy;
		}

	}

	/**
	 * BlockHound settings.
	 *
	 * @since 0.1.0
	 */
	public static class Blockhound {

		/**
		 * Whether to install BlockHound, when it is on the classpath, so that blocking
		 * calls on loop threads are reported through the blocking policy. Meant for tests
		 * and staging.
		 */
		private boolean enabled;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

	/**
	 * Observation settings.
	 *
	 * @since 0.1.0
	 */
	public static class Observations {

		/**
		 * Whether to observe each task handed to a loop, with its queue wait and run
		 * time, as an "eventloop.task" observation.
		 */
		private boolean enabled;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

	/**
	 * Settings of the executor that runs offloaded blocking work.
	 *
	 * @since 0.1.0
	 */
	public static class Offload {

		/**
		 * Maximum number of offloaded tasks that run at once; further tasks wait for a
		 * slot. Unlimited when not set.
		 */
		private @Nullable Integer maxConcurrency;

		public @Nullable Integer getMaxConcurrency() {
			return this.maxConcurrency;
		}

		public void setMaxConcurrency(@Nullable Integer maxConcurrency) {
			this.maxConcurrency = maxConcurrency;
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
		 * What an idle loop thread does: park, spin-then-park or adaptive.
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

		public int getThreads() {
			return this.threads;
		}

		public void setThreads(int threads) {
			this.threads = threads;
		}

		public @Nullable Integer getQueueCapacity() {
			return this.queueCapacity;
		}

		public void setQueueCapacity(@Nullable Integer queueCapacity) {
			this.queueCapacity = queueCapacity;
		}

		public @Nullable Duration getStallThreshold() {
			return this.stallThreshold;
		}

		public void setStallThreshold(@Nullable Duration stallThreshold) {
			this.stallThreshold = stallThreshold;
		}

		public @Nullable Duration getLagThreshold() {
			return this.lagThreshold;
		}

		public void setLagThreshold(@Nullable Duration lagThreshold) {
			this.lagThreshold = lagThreshold;
		}

		public @Nullable Duration getLagProbeInterval() {
			return this.lagProbeInterval;
		}

		public void setLagProbeInterval(@Nullable Duration lagProbeInterval) {
			this.lagProbeInterval = lagProbeInterval;
		}

		public @Nullable IdleStrategy getIdleStrategy() {
			return this.idleStrategy;
		}

		public void setIdleStrategy(@Nullable IdleStrategy idleStrategy) {
			this.idleStrategy = idleStrategy;
		}

	}

}
