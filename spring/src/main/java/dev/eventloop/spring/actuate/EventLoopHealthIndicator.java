package dev.eventloop.spring.actuate;

import java.time.Duration;
import java.util.Objects;

import dev.eventloop.EventLoop;
import dev.eventloop.LoopState;
import dev.eventloop.LoopStats;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * {@link HealthIndicator} for one {@link EventLoop}: {@code UP} while the loop runs and
 * is responsive; {@code DOWN} when the loop thread has died ({@code reason}
 * {@code thread died}), one task has run past the stall threshold ({@code stalled}), a
 * task keeps the loop thread waiting ({@code blocked}), or its scheduling lag is above
 * the lag threshold ({@code lagging}); {@code OUT_OF_SERVICE} once the loop is shutting
 * down. The {@code since} detail says when a stall began.
 *
 * @since 0.1.0
 */
public class EventLoopHealthIndicator implements HealthIndicator {

	private final EventLoop loop;

	/**
	 * Create an indicator for the given loop.
	 * @param loop the loop to report on
	 */
	public EventLoopHealthIndicator(EventLoop loop) {
		this.loop = Objects.requireNonNull(loop, "loop must not be null");
	}

	@Override
	public Health health() {
		LoopStats stats = this.loop.stats();
		LoopStats.Death death = stats.death();
		Health.Builder builder;
		if (death != null) {
			builder = Health.down()
				.withDetail("reason", "thread died")
				.withDetail("since", String.valueOf(death.at()))
				.withDetail("error", String.valueOf(death.cause()));
		}
		else if (stats.stall().stalled()) {
			builder = Health.down()
				.withDetail("reason", stats.stall().blocked() ? "blocked" : "stalled")
				.withDetail("since", String.valueOf(stats.stall().since()));
		}
		else if (stats.lag().lagging()) {
			builder = Health.down().withDetail("reason", "lagging");
		}
		else if (stats.state() == LoopState.RUNNING) {
			builder = Health.up();
		}
		else {
			builder = Health.outOfService().withDetail("reason", "shut down");
		}
		return builder.withDetail("state", stats.state())
			.withDetail("queueSize", stats.queue().size())
			.withDetail("lagMillis", millis(stats.lag().last()))
			.withDetail("utilization", stats.utilization())
			.withDetail("stalledForMillis", millis(stats.stall().stalledFor()))
			.build();
	}

	static double millis(Duration duration) {
		return duration.toNanos() / 1_000_000.0;
	}

}
