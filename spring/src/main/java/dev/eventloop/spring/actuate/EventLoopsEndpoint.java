package dev.eventloop.spring.actuate;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopRegistry;
import dev.eventloop.LoopState;
import dev.eventloop.LoopStats;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.Show;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * {@link Endpoint @Endpoint} that reports every event loop: its group, state, task
 * counts, queue, lag, utilisation and whether it is stalled. Read-only. The stack trace
 * of a stalled loop is included only where {@code eventloop.actuator.show-stack-traces}
 * allows it.
 *
 * @since 0.1.0
 */
@Endpoint(id = "eventloops")
public class EventLoopsEndpoint {

	private final EventLoopRegistry registry;

	private final Show showStackTraces;

	private final Set<String> roles;

	/**
	 * Create an endpoint over the loops of the given registry.
	 * @param registry the loops to report on
	 * @param showStackTraces when the stack trace of a stalled loop is shown
	 * @param roles the roles that may see stack traces under {@link Show#WHEN_AUTHORIZED}
	 */
	public EventLoopsEndpoint(EventLoopRegistry registry, Show showStackTraces, Set<String> roles) {
		this.registry = Objects.requireNonNull(registry, "registry must not be null");
		this.showStackTraces = Objects.requireNonNull(showStackTraces, "showStackTraces must not be null");
		this.roles = Set.copyOf(roles);
	}

	/**
	 * Report every loop.
	 * @param securityContext the caller's security context
	 * @return the report
	 */
	@ReadOperation
	public EventLoopsDescriptor eventLoops(SecurityContext securityContext) {
		boolean showTraces = this.showStackTraces.isShown(securityContext, this.roles);
		return new EventLoopsDescriptor(
				this.registry.loops().stream().map((loop) -> describe(loop, showTraces)).toList());
	}

	/**
	 * Report one loop.
	 * @param securityContext the caller's security context
	 * @param name the loop name
	 * @return the report, or {@code null} (404) if there is no loop of that name
	 */
	@ReadOperation
	public @Nullable LoopDescriptor eventLoop(SecurityContext securityContext, @Selector String name) {
		boolean showTraces = this.showStackTraces.isShown(securityContext, this.roles);
		return this.registry.loop(name).map((loop) -> describe(loop, showTraces)).orElse(null);
	}

	private static LoopDescriptor describe(EventLoop loop, boolean showTraces) {
		LoopStats stats = loop.stats();
		List<String> trace = (showTraces && stats.stall().stalled())
				? stats.stall().stackTrace().stream().map(StackTraceElement::toString).toList() : null;
		return new LoopDescriptor(stats.name(), stats.group(), stats.state(),
				new TaskCounts(stats.tasks().submitted(), stats.tasks().inline(), stats.tasks().completed(),
						stats.tasks().failed(), stats.tasks().rejected(), stats.tasks().abandoned(),
						stats.tasks().blockingViolations()),
				new QueueDescriptor(stats.queue().size(), stats.queue().capacity()),
				new LagDescriptor(EventLoopHealthIndicator.millis(stats.lag().last()),
						EventLoopHealthIndicator.millis(stats.lag().p50()),
						EventLoopHealthIndicator.millis(stats.lag().p99()),
						EventLoopHealthIndicator.millis(stats.lag().max())),
				stats.utilization(), stats.stall().stalled(), stats.stall().since(),
				EventLoopHealthIndicator.millis(stats.stall().stalledFor()), trace);
	}

	/**
	 * Report of every loop.
	 *
	 * @param loops one entry per loop, in registration order
	 * @since 0.1.0
	 */
	public record EventLoopsDescriptor(List<LoopDescriptor> loops) {
	}

	/**
	 * Report of one loop.
	 *
	 * @param name loop name
	 * @param group name of the loop's group
	 * @param state lifecycle state
	 * @param tasks task counts since the loop started
	 * @param queue queued tasks and capacity
	 * @param lagMillis scheduling lag measured by the probe
	 * @param utilization share of time spent running tasks, 0 to 1
	 * @param stalled whether one task has run past the stall threshold
	 * @param stalledSince when the stall began, if stalled
	 * @param stalledForMillis how long the loop has been stalled
	 * @param stackTrace the stalled loop's stack, where shown
	 * @since 0.1.0
	 */
	public record LoopDescriptor(String name, String group, LoopState state, TaskCounts tasks, QueueDescriptor queue,
			LagDescriptor lagMillis, double utilization, boolean stalled, @Nullable Instant stalledSince,
			double stalledForMillis, @Nullable List<String> stackTrace) {
	}

	/**
	 * Task counts of one loop.
	 *
	 * @param submitted tasks accepted into the queue or timers
	 * @param inline tasks run inline by the dispatch context
	 * @param completed task runs that returned normally
	 * @param failed task runs that threw
	 * @param rejected tasks refused
	 * @param abandoned accepted tasks that never ran because the loop shut down
	 * @param blockingViolations blocking calls allowed under the {@code warn} policy
	 * @since 0.1.0
	 */
	public record TaskCounts(long submitted, long inline, long completed, long failed, long rejected, long abandoned,
			long blockingViolations) {
	}

	/**
	 * Queue of one loop.
	 *
	 * @param size tasks waiting now
	 * @param capacity bound, 0 when unbounded
	 * @since 0.1.0
	 */
	public record QueueDescriptor(int size, int capacity) {
	}

	/**
	 * Scheduling lag of one loop, in milliseconds.
	 *
	 * @param last most recent sample
	 * @param p50 median of recent samples
	 * @param p99 99th percentile of recent samples
	 * @param max maximum of recent samples
	 * @since 0.1.0
	 */
	public record LagDescriptor(double last, double p50, double p99, double max) {
	}

}
