package dev.eventloop.spring.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import dev.eventloop.LoopCounters;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link EventLoopMetrics}, over real loops and a {@link SimpleMeterRegistry}.
 */
class EventLoopMetricsTests {

	private static final List<String> METER_NAMES = List.of("eventloop.tasks.submitted", "eventloop.tasks.inline",
			"eventloop.tasks.completed", "eventloop.tasks.failed", "eventloop.tasks.rejected",
			"eventloop.tasks.abandoned", "eventloop.blocking.violations", "eventloop.queue.size",
			"eventloop.utilization", "eventloop.stalled", "eventloop.lag");

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final List<EventLoopGroup> groups = new ArrayList<>();

	private final CountDownLatch release = new CountDownLatch(1);

	@AfterEach
	void shutdown() {
		this.release.countDown();
		this.groups.forEach((group) -> group.shutdownGracefully(Duration.ofSeconds(5)));
		this.groups
			.forEach((group) -> group.shutdownGracefully(Duration.ofSeconds(5)).orTimeout(30, TimeUnit.SECONDS).join());
	}

	@Test
	void everyMeterIsRegisteredForEveryLoopWithLoopAndGroupTags() {
		EventLoopGroup group = group(EventLoopGroup.builder("workers").threads(2));
		new EventLoopMetrics(group.loops()).bindTo(this.registry);
		for (String loop : List.of("workers-0", "workers-1")) {
			for (String name : METER_NAMES) {
				assertThat(this.registry.find(name).tags("loop", loop, "group", "workers").meters()).as(name)
					.hasSize(1);
			}
		}
		assertThat(this.registry.getMeters()).hasSize(2 * METER_NAMES.size());
	}

	@Test
	void everyMeterHasADescription() {
		EventLoopGroup group = group(EventLoopGroup.builder("described"));
		new EventLoopMetrics(group.loops()).bindTo(this.registry);
		assertThat(this.registry.getMeters())
			.allSatisfy((meter) -> assertThat(meter.getId().getDescription()).as(meter.getId().getName()).isNotBlank());
	}

	@Test
	void taskCountersReadTheCountsOfTheirOwnLoop() throws Exception {
		EventLoopGroup group = group(EventLoopGroup.builder("counted").threads(2).uncaughtExceptionHandler((t, ex) -> {
		}));
		new EventLoopMetrics(group.loops()).bindTo(this.registry);
		EventLoop loop = group.loops().get(0);
		loop.submit(() -> 1).get(30, TimeUnit.SECONDS);
		loop.execute(() -> {
			throw new IllegalStateException("task failure");
		});
		loop.submit(() -> 2).get(30, TimeUnit.SECONDS);
		LoopCounters counters = loop.counters();
		assertThat(count("eventloop.tasks.submitted", "counted-0")).isEqualTo(counters.submitted()).isEqualTo(3);
		assertThat(count("eventloop.tasks.completed", "counted-0")).isEqualTo(counters.completed()).isEqualTo(2);
		assertThat(count("eventloop.tasks.failed", "counted-0")).isEqualTo(counters.failed()).isEqualTo(1);
		assertThat(count("eventloop.tasks.submitted", "counted-1")).isZero();
		assertThat(count("eventloop.tasks.completed", "counted-1")).isZero();
	}

	@Test
	void rejectedCounterAndQueueSizeGaugeFollowAFullQueue() throws Exception {
		EventLoopGroup group = group(EventLoopGroup.builder("bounded").queueCapacity(1));
		new EventLoopMetrics(group.loops()).bindTo(this.registry);
		EventLoop loop = group.loops().get(0);
		CountDownLatch started = new CountDownLatch(1);
		loop.execute(() -> {
			started.countDown();
			awaitRelease();
		});
		assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
		loop.execute(() -> {
		});
		assertThatExceptionOfType(RejectedExecutionException.class).isThrownBy(() -> loop.execute(() -> {
		}));
		assertThat(count("eventloop.tasks.rejected", "bounded")).isEqualTo(1);
		assertThat(gauge("eventloop.queue.size", "bounded")).isEqualTo(1);
		this.release.countDown();
		await().atMost(WAIT).until(() -> gauge("eventloop.queue.size", "bounded") == 0);
	}

	@Test
	void stalledGaugeIsOneWhileATaskHoldsTheLoopPastTheStallThreshold() {
		EventLoopGroup group = group(EventLoopGroup.builder("stalling").stallThreshold(Duration.ofMillis(200)));
		new EventLoopMetrics(group.loops()).bindTo(this.registry);
		assertThat(gauge("eventloop.stalled", "stalling")).isZero();
		group.loops().get(0).execute(this::awaitRelease);
		await().atMost(WAIT).until(() -> gauge("eventloop.stalled", "stalling") == 1);
		this.release.countDown();
		await().atMost(WAIT).until(() -> gauge("eventloop.stalled", "stalling") == 0);
	}

	@Test
	void utilizationGaugeIsAShareOfTime() {
		EventLoopGroup group = group(EventLoopGroup.builder("utilized"));
		new EventLoopMetrics(group.loops()).bindTo(this.registry);
		assertThat(gauge("eventloop.utilization", "utilized")).isBetween(0.0, 1.0);
	}

	@Test
	void lagTimerIsFedByTheLagProbe() {
		EventLoopGroup group = group(EventLoopGroup.builder("probed").lagProbeInterval(Duration.ofMillis(5)));
		new EventLoopMetrics(group.loops()).bindTo(this.registry);
		EventLoop loop = group.loops().get(0);
		Timer lag = this.registry.get("eventloop.lag").tag("loop", "probed").timer();
		await().atMost(WAIT).until(() -> {
			// keep the loop busy for longer than a probe interval, so that the probe runs
			loop.execute(() -> busyFor(Duration.ofMillis(20)));
			return lag.count() > 0;
		});
		assertThat(lag.max(TimeUnit.NANOSECONDS)).isPositive();
	}

	@Test
	void lagTimerPublishesAPercentileHistogramFromOneMicrosecondToTenSeconds() {
		Map<String, DistributionStatisticConfig> configs = new HashMap<>();
		this.registry.config().meterFilter(new MeterFilter() {

			@Override
			public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
				configs.put(id.getName(), config);
				return config;
			}

		});
		EventLoopGroup group = group(EventLoopGroup.builder("histogram"));
		new EventLoopMetrics(group.loops()).bindTo(this.registry);
		DistributionStatisticConfig lag = configs.get("eventloop.lag");
		assertThat(lag).isNotNull();
		assertThat(lag.isPercentileHistogram()).isTrue();
		assertThat(lag.getMinimumExpectedValueAsDouble()).isEqualTo(1_000.0);
		assertThat(lag.getMaximumExpectedValueAsDouble()).isEqualTo(TimeUnit.SECONDS.toNanos(10));
	}

	@Test
	void metersOfALoopAreRemovedWhenItTerminatesAndTheOthersStay() {
		EventLoopGroup first = group(EventLoopGroup.builder("first"));
		EventLoopGroup second = group(EventLoopGroup.builder("second"));
		new EventLoopMetrics(List.of(first.loops().get(0), second.loops().get(0))).bindTo(this.registry);
		first.shutdownGracefully(Duration.ofSeconds(5)).orTimeout(30, TimeUnit.SECONDS).join();
		// removal runs as a dependent of the termination, possibly just after it
		await().atMost(WAIT)
			.until(() -> this.registry.find("eventloop.tasks.submitted").tag("loop", "first").meters().isEmpty());
		assertThat(this.registry.getMeters()).extracting((meter) -> meter.getId().getTag("loop"))
			.containsOnly("second")
			.hasSize(METER_NAMES.size());
	}

	@Test
	void aLoopThatHasTerminatedIsNotBound() {
		EventLoopGroup group = group(EventLoopGroup.builder("gone"));
		group.shutdownGracefully(Duration.ofSeconds(5)).orTimeout(30, TimeUnit.SECONDS).join();
		new EventLoopMetrics(group.loops()).bindTo(this.registry);
		assertThat(this.registry.getMeters()).isEmpty();
	}

	@Test
	void closeRemovesEveryMeterItRegistered() {
		EventLoopGroup group = group(EventLoopGroup.builder("closed").threads(2));
		EventLoopMetrics metrics = new EventLoopMetrics(group.loops());
		metrics.bindTo(this.registry);
		assertThat(this.registry.getMeters()).isNotEmpty();
		metrics.close();
		assertThat(this.registry.getMeters()).extracting(Meter::getId).isEmpty();
	}

	private EventLoopGroup group(EventLoopGroup.Builder builder) {
		EventLoopGroup group = builder.build();
		this.groups.add(group);
		return group;
	}

	private double count(String name, String loop) {
		FunctionCounter counter = this.registry.get(name).tag("loop", loop).functionCounter();
		return counter.count();
	}

	private double gauge(String name, String loop) {
		Gauge gauge = this.registry.get(name).tag("loop", loop).gauge();
		return gauge.value();
	}

	private void awaitRelease() {
		try {
			this.release.await(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static void busyFor(Duration duration) {
		long deadline = System.nanoTime() + duration.toNanos();
		while (System.nanoTime() - deadline < 0) {
			Thread.onSpinWait();
		}
	}

}
