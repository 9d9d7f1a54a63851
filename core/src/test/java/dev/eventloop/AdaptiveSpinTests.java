package dev.eventloop;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link AdaptiveSpin}: the budget logic alone, driven with made-up times.
 */
class AdaptiveSpinTests {

	private final AdaptiveSpin spin = new AdaptiveSpin();

	// the made-up clock of the cycles fed to the spin
	private long now = 1_000_000_000L;

	// the budget of the loop's first idle period, which closes no cycle
	private long firstBudget;

	@BeforeEach
	void firstIdlePeriod() {
		this.firstBudget = this.spin.idleStarts(this.now);
	}

	@Test
	void freshSpinStartsColdSoANewLoopParksAtOnce() {
		assertThat(this.firstBudget).isZero();
		assertThat(this.spin.isHot()).isFalse();
	}

	@Test
	void budgetGrowsWhenTasksArriveOftenAndCoversTheGap() {
		List<Long> budgets = cycles(40, micros(10), 1);
		assertThat(budgets.get(0)).isZero();
		// once the mean gap is short enough to spin, it stays so while the rate holds
		int firstSpin = budgets.indexOf(budgets.stream().filter((budget) -> budget > 0).findFirst().orElseThrow());
		assertThat(budgets.subList(firstSpin, budgets.size())).allSatisfy((budget) -> assertThat(budget)
			.isBetween(AdaptiveSpin.SPIN_FACTOR * micros(10), AdaptiveSpin.MAX_BUDGET));
		assertThat(this.spin.meanGap()).isBetween(micros(10), AdaptiveSpin.GAP_LIMIT);
		assertThat(this.spin.budget())
			.isEqualTo(Math.min(AdaptiveSpin.MAX_BUDGET, AdaptiveSpin.SPIN_FACTOR * this.spin.meanGap()));
		assertThat(this.spin.isHot()).isTrue();
	}

	@Test
	void aBatchFoundAfterAParkCountsAsShortGaps() {
		// parked 60 us (wake-up included), then ran the six tasks that came meanwhile
		cycles(40, micros(60), 6);
		assertThat(this.spin.budget()).isPositive();
		assertThat(this.spin.isHot()).isTrue();
	}

	@Test
	void tasksThatComeFurtherApartThanTheLimitNeverMakeItSpin() {
		assertThat(cycles(1000, micros(100), 1)).containsOnly(0L);
		assertThat(cycles(1000, AdaptiveSpin.GAP_LIMIT + micros(1), 1)).containsOnly(0L);
		assertThat(this.spin.isHot()).isFalse();
	}

	@Test
	void budgetShrinksToZeroAfterOneLongIdlePeriod() {
		cycles(40, micros(5), 1);
		assertThat(this.spin.budget()).isPositive();
		this.now += TimeUnit.MILLISECONDS.toNanos(5);
		assertThat(this.spin.idleStarts(this.now)).isZero();
		assertThat(this.spin.isHot()).isFalse();
	}

	@Test
	void budgetDropsToZeroAndStaysThereOnceArrivalsSlowDownPastTheLimit() {
		cycles(40, micros(5), 1);
		List<Long> budgets = cycles(40, micros(40), 1);
		assertThat(budgets.get(0)).isPositive();
		int firstPark = budgets.indexOf(0L);
		assertThat(firstPark).isPositive();
		assertThat(budgets.subList(firstPark, budgets.size())).containsOnly(0L);
	}

	@Test
	void budgetStaysWithinItsBounds() {
		// a thousand tasks in a microsecond: the mean gap rounds down to nothing
		cycles(100, micros(1), 1000);
		assertThat(this.spin.budget()).isEqualTo(AdaptiveSpin.MIN_BUDGET);
		// the longest gap that spins, spun for several times over, is cut to the longest
		// spin
		cycles(100, AdaptiveSpin.GAP_LIMIT, 1);
		assertThat(this.spin.budget()).isEqualTo(AdaptiveSpin.MAX_BUDGET);
	}

	@Test
	void spinThatRanOutMakesWaitersParkUntilTheNextIdlePeriodDecides() {
		cycles(40, micros(5), 1);
		assertThat(this.spin.isHot()).isTrue();
		this.spin.spinRanOut();
		assertThat(this.spin.isHot()).isFalse();
		this.now += micros(5);
		this.spin.ran(1);
		assertThat(this.spin.idleStarts(this.now)).isPositive();
		assertThat(this.spin.isHot()).isTrue();
	}

	@Test
	void cyclesWithoutTasksCountAsOneGapOfTheirLength() {
		cycles(40, micros(5), 1);
		// timer rounds with no queued task in between, 30 us apart
		List<Long> budgets = cycles(40, micros(30), 0);
		assertThat(budgets.get(budgets.size() - 1)).isZero();
	}

	/**
	 * Feed cycles of the given length in which the loop ran the given number of tasks.
	 * @return the budget after each cycle
	 */
	private List<Long> cycles(int count, long length, int tasksPerCycle) {
		List<Long> budgets = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			this.spin.ran(tasksPerCycle);
			this.now += length;
			budgets.add(this.spin.idleStarts(this.now));
		}
		return budgets;
	}

	private static long micros(long micros) {
		return TimeUnit.MICROSECONDS.toNanos(micros);
	}

}
