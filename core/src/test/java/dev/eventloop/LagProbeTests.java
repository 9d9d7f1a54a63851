package dev.eventloop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LagProbe}, driven with explicit timestamps.
 */
class LagProbeTests {

	private static final long MS = 1_000_000;

	private static final long NO_THRESHOLD = Long.MAX_VALUE;

	private final LagProbe probe = new LagProbe("probed", Duration.ofMillis(100));

	@Test
	void isDueOnceTheIntervalHasPassedSinceStart() {
		this.probe.start(0);
		assertThat(this.probe.isDue(99 * MS)).isFalse();
		assertThat(this.probe.isDue(100 * MS)).isTrue();
	}

	@Test
	void runRecordsHowLateTheProbeRan() {
		this.probe.start(0);
		this.probe.run(130 * MS);
		LoopStats.Lag lag = this.probe.lag(130 * MS, false, NO_THRESHOLD);
		assertThat(lag.last()).isEqualTo(Duration.ofMillis(30));
		assertThat(lag.max()).isEqualTo(Duration.ofMillis(30));
		assertThat(this.probe.isDue(229 * MS)).isFalse();
		assertThat(this.probe.isDue(230 * MS)).isTrue();
	}

	@Test
	void aLateUserTimerCountsWhenLaterThanTheProbeAndOnlyUntilTheNextRun() {
		this.probe.start(0);
		this.probe.timerRanLate(40 * MS);
		this.probe.timerRanLate(25 * MS);
		this.probe.run(110 * MS);
		assertThat(this.probe.lag(110 * MS, false, NO_THRESHOLD).last()).isEqualTo(Duration.ofMillis(40));
		this.probe.run(210 * MS);
		assertThat(this.probe.lag(210 * MS, false, NO_THRESHOLD).last()).isZero();
	}

	@Test
	void utilizationIsTheBusyShareOfTheLastInterval() {
		this.probe.start(0);
		this.probe.busyFor(25 * MS);
		this.probe.run(100 * MS);
		assertThat(this.probe.utilization(100 * MS, true, Duration.ZERO)).isEqualTo(0.25);
		this.probe.busyFor(50 * MS);
		this.probe.run(200 * MS);
		assertThat(this.probe.utilization(200 * MS, true, Duration.ZERO)).isEqualTo(0.5);
	}

	@Test
	void listenersReceiveEachSampleAndAFailingListenerDoesNotStopTheOthers() {
		List<Long> received = new ArrayList<>();
		this.probe.addListener((lag) -> {
			throw new IllegalStateException("listener failure");
		});
		this.probe.addListener(received::add);
		this.probe.start(0);
		this.probe.run(120 * MS);
		assertThat(received).containsExactly(20 * MS);
	}

	@Test
	void aRemovedListenerReceivesNothing() {
		List<Long> received = new ArrayList<>();
		LongConsumer listener = received::add;
		this.probe.addListener(listener);
		this.probe.removeListener(listener);
		this.probe.start(0);
		this.probe.run(120 * MS);
		assertThat(received).isEmpty();
	}

	@Test
	void whileATaskHoldsARunningLoopTheOverdueProbeShowsAsLagAndLagging() {
		this.probe.start(0);
		LoopStats.Lag lag = this.probe.lag(400 * MS, true, 200 * MS);
		assertThat(lag.last()).isEqualTo(Duration.ofMillis(300));
		assertThat(lag.p99()).isEqualTo(Duration.ofMillis(300));
		assertThat(lag.max()).isEqualTo(Duration.ofMillis(300));
		assertThat(lag.lagging()).isTrue();
	}

	@Test
	void lagBelowTheThresholdIsNotLagging() {
		this.probe.start(0);
		assertThat(this.probe.lag(150 * MS, true, 200 * MS).lagging()).isFalse();
	}

	@Test
	void aLoopThatIsNotRunningIsNeverLagging() {
		this.probe.start(0);
		this.probe.run(900 * MS);
		LoopStats.Lag lag = this.probe.lag(900 * MS, false, 200 * MS);
		assertThat(lag.last()).isEqualTo(Duration.ofMillis(800));
		assertThat(lag.lagging()).isFalse();
	}

	@Test
	void anIdleLoopHasNoCurrentLagAndItsUtilizationFallsWhileItSleeps() {
		this.probe.start(0);
		this.probe.busyFor(50 * MS);
		this.probe.beforeIdle(60 * MS);
		assertThat(this.probe.lag(500 * MS, true, 200 * MS).last()).isZero();
		assertThat(this.probe.utilization(100 * MS, true, Duration.ZERO)).isEqualTo(0.5);
		assertThat(this.probe.utilization(200 * MS, true, Duration.ZERO)).isEqualTo(0.25);
	}

	@Test
	void afterIdleAnOverdueProbeIsDueNowWithoutCountingTheSleepAsLag() {
		this.probe.start(0);
		this.probe.beforeIdle(10 * MS);
		this.probe.afterIdle(500 * MS);
		assertThat(this.probe.isDue(500 * MS)).isTrue();
		this.probe.run(500 * MS);
		assertThat(this.probe.lag(500 * MS, true, 200 * MS).last()).isZero();
	}

	@Test
	void aTaskHoldingTheLoopForAWholeIntervalMeansFullUtilization() {
		this.probe.start(0);
		this.probe.run(100 * MS);
		assertThat(this.probe.utilization(150 * MS, true, Duration.ofMillis(100))).isEqualTo(1.0);
		assertThat(this.probe.utilization(150 * MS, true, Duration.ofMillis(99))).isZero();
	}

}
