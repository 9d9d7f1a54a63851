package dev.eventloop.spring.autoconfigure.kafka;

import java.time.Duration;

import dev.eventloop.spring.kafka.KafkaRecordDispatcher;

import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.ExponentialBackOff;
import org.springframework.util.backoff.FixedBackOff;

/**
 * The {@code eventloop.kafka.*} properties checked and turned into the dispatcher's
 * settings and the error handler's back-off. A bad value fails startup naming the
 * property and what to set instead.
 */
final class KafkaSettings {

	private KafkaSettings() {
	}

	static KafkaRecordDispatcher.Settings of(EventLoopKafkaProperties properties) {
		atLeastOne("high-water-mark", properties.getHighWaterMark(), "the number of records one loop may have queued");
		atLeastOne("max-in-flight", properties.getMaxInFlight(),
				"the number of records one consumer may have in flight, such as 1000");
		positive("commit-interval", properties.getCommitInterval(),
				"how often completed records are committed, such as 100ms");
		positive("revocation-timeout", properties.getRevocationTimeout(),
				"how long a revocation waits for records in flight, such as 10s");
		positive("slow-record-threshold", properties.getSlowRecordThreshold(),
				"the time in flight after which a record is reported, such as 30s");
		return new KafkaRecordDispatcher.Settings(properties.getHighWaterMark(), properties.getMaxInFlight(),
				properties.getOrdering(), properties.getRevocationTimeout(), properties.getCommitInterval(),
				properties.getSlowRecordThreshold());
	}

	static BackOff backOff(EventLoopKafkaProperties.Retry retry) {
		atLeastOne("retry.attempts", retry.getAttempts(), "the attempts of a failed record, the first included");
		if (retry.getDelay().isNegative()) {
			throw invalid("retry.delay", retry.getDelay(), "a delay of zero or more, such as 1s");
		}
		if (retry.getMultiplier() < 1.0) {
			throw invalid("retry.multiplier", retry.getMultiplier(), "1 for a fixed delay, or more, such as 2");
		}
		long retries = retry.getAttempts() - 1L;
		if (retry.getMultiplier() == 1.0) {
			return new FixedBackOff(retry.getDelay().toMillis(), retries);
		}
		ExponentialBackOff backOff = new ExponentialBackOff(Math.max(1, retry.getDelay().toMillis()),
				retry.getMultiplier());
		backOff.setMaxInterval(retry.getMaxDelay().toMillis());
		backOff.setMaxAttempts(retries);
		return backOff;
	}

	private static void atLeastOne(String property, int value, String meaning) {
		if (value < 1) {
			throw invalid(property, value, "at least 1: " + meaning);
		}
	}

	private static void positive(String property, Duration value, String meaning) {
		if (value.isNegative() || value.isZero()) {
			throw invalid(property, value, "a positive duration: " + meaning);
		}
	}

	private static IllegalArgumentException invalid(String property, Object value, String fix) {
		return new IllegalArgumentException("eventloop.kafka." + property + " must be " + fix + ", but was " + value);
	}

}
