package dev.eventloop.spring.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The commit metadata that tells the next owner of a partition which records beyond the
 * commit point have completed.
 */
class CompletedOffsetsTests {

	@Test
	void oneRecordStuckAmongAThousandCompletedTakesAFewBytesAndRoundTrips() {
		// committed at 5_000 (stuck), 5_001..5_999 completed
		String metadata = CompletedOffsets.encode(5_000, List.of(new long[] { 5_000, 5_001 }), 6_000);
		assertThat(metadata).startsWith(CompletedOffsets.PREFIX).hasSizeLessThan(12);
		NavigableMap<Long, Long> completed = CompletedOffsets.decode(5_000, metadata);
		assertThat(completed).containsExactly(org.assertj.core.api.Assertions.entry(5_001L, 6_000L));
		assertThat(CompletedOffsets.contains(completed, 5_000)).isFalse();
		assertThat(CompletedOffsets.contains(completed, 5_001)).isTrue();
		assertThat(CompletedOffsets.contains(completed, 5_999)).isTrue();
		assertThat(CompletedOffsets.contains(completed, 6_000)).isFalse();
	}

	@Test
	void severalRunsOfUnfinishedRecordsRoundTrip() {
		List<long[]> notCompleted = List.of(new long[] { 100, 103 }, new long[] { 110, 111 }, new long[] { 140, 160 });
		NavigableMap<Long, Long> completed = CompletedOffsets.decode(100,
				CompletedOffsets.encode(100, notCompleted, 200));
		for (long offset = 100; offset < 210; offset++) {
			boolean unfinished = (offset < 103) || offset == 110 || (offset >= 140 && offset < 160) || offset >= 200;
			assertThat(CompletedOffsets.contains(completed, offset)).as("offset %d", offset).isEqualTo(!unfinished);
		}
	}

	@Test
	void nothingCompletedBeyondTheCommitPointIsEmptyMetadata() {
		assertThat(CompletedOffsets.encode(7, List.of(new long[] { 7, 8 }), 8)).isEmpty();
		assertThat(CompletedOffsets.encode(7, List.of(), 7)).isEmpty();
		assertThat(CompletedOffsets.decode(7, "")).isEmpty();
	}

	@Test
	void strictAlternationBeyondTheBrokerLimitDoesNotFitAndIsReportedAsSuch() {
		List<long[]> notCompleted = new ArrayList<>();
		for (long offset = 0; offset < 10_000; offset += 2) {
			notCompleted.add(new long[] { offset, offset + 1 });
		}
		assertThat(CompletedOffsets.encode(0, notCompleted, 10_000)).isNull();
		// the same pattern over fewer records fits, within the broker's default limit
		String fits = CompletedOffsets.encode(0, notCompleted.subList(0, 1_000), 2_000);
		assertThat(fits).isNotNull().hasSizeLessThanOrEqualTo(CompletedOffsets.MAX_METADATA_LENGTH);
		assertThat(CompletedOffsets.decode(0, fits)).hasSize(1_000);
	}

	@Test
	void metadataNotWrittenByTheStarterOrDamagedMeansNothingIsSkipped() {
		assertThat(CompletedOffsets.decode(0, null)).isEmpty();
		assertThat(CompletedOffsets.decode(0, "written by another tool")).isEmpty();
		assertThat(CompletedOffsets.decode(0, CompletedOffsets.PREFIX + "not base64 !")).isEmpty();
		// a truncated varint
		assertThat(CompletedOffsets.decode(0, CompletedOffsets.PREFIX + "gA")).isEmpty();
	}

}
