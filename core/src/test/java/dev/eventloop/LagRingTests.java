package dev.eventloop;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LagRing}.
 */
class LagRingTests {

	private final LagRing ring = new LagRing();

	@Test
	void emptyRingReportsZeroForLastAndEveryPercentile() {
		assertThat(this.ring.last()).isZero();
		assertThat(this.ring.percentiles(0.5, 0.99, 1.0)).containsExactly(0, 0, 0);
	}

	@Test
	void lastIsTheMostRecentSample() {
		this.ring.record(30);
		this.ring.record(10);
		this.ring.record(20);
		assertThat(this.ring.last()).isEqualTo(20);
	}

	@Test
	void percentilesAreNearestRankOverTheSortedSamples() {
		for (long sample = 100; sample >= 1; sample--) {
			this.ring.record(sample);
		}
		assertThat(this.ring.percentiles(0.5, 0.99, 1.0)).containsExactly(50, 99, 100);
	}

	@Test
	void percentilesOutsideZeroToOneAreClampedToTheSmallestAndLargestSample() {
		this.ring.record(7);
		this.ring.record(3);
		this.ring.record(5);
		assertThat(this.ring.percentiles(0.0, -1.0, 2.0)).containsExactly(3, 3, 7);
	}

	@Test
	void pastTwoHundredFiftySixSamplesTheOldestAreOverwritten() {
		for (long sample = 1; sample <= 300; sample++) {
			this.ring.record(sample);
		}
		// the ring holds samples 45 to 300
		assertThat(this.ring.percentiles(0.0, 0.5, 1.0)).containsExactly(45, 172, 300);
		assertThat(this.ring.last()).isEqualTo(300);
	}

	@Test
	void lastFollowsTheWriteIndexAcrossTheWrap() {
		for (long sample = 1; sample <= 256; sample++) {
			this.ring.record(1_000);
		}
		this.ring.record(1);
		assertThat(this.ring.last()).isEqualTo(1);
		assertThat(this.ring.percentiles(0.0)).containsExactly(1);
	}

}
