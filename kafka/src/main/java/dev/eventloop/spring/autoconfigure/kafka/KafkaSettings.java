package dev.eventloop.spring.autoconfigure.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.eventloop.spring.kafka.KafkaRecordDispatcher;
import org.jspecify.annotations.Nullable;

import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.ExponentialBackOff;
import org.springframework.util.backoff.FixedBackOff;

/**
 * The {@code eventloop.kafka.*} properties checked and turned into the dispatcher's
 * settings and the error handler's back-off. The rules live here only: the properties run
 * them when they are bound (so that Boot's failure analysis names the property, its
 * value, where it was set and what to set instead), and building the settings runs them
 * again for properties made by hand.
 */
final class KafkaSettings {

	private KafkaSettings() {
	}

	static KafkaRecordDispatcher.Settings of(EventLoopKafkaProperties properties) {
		throwFirst(violations(properties));
		throwFirst(violations(properties.getRetry()));
		return new KafkaRecordDispatcher.Settings(properties.getHighWaterMark(), properties.getMaxInFlight(),
				properties.getOrdering(), properties.getRevocationTimeout(), properties.getCommitInterval(),
				properties.getSlowRecordThreshold());
	}

	static BackOff backOff(EventLoopKafkaProperties.Retry retry) {
		throwFirst(violations(retry));
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

	/**
	 * Every rule the properties break, but those of the retry settings.
	 */
	static List<Violation> violations(EventLoopKafkaProperties properties) {
		List<Violation> violations = new ArrayList<>();
		atLeastOne(violations, "highWaterMark", "high-water-mark", properties.getHighWaterMark(),
				"the number of records one loop may have queued");
		atLeastOne(violations, "maxInFlight", "max-in-flight", properties.getMaxInFlight(),
				"the number of records one consumer may have in flight, such as 1000");
		positive(violations, "commitInterval", "commit-interval", properties.getCommitInterval(),
				"how often completed records are committed, such as 100ms");
		positive(violations, "revocationTimeout", "revocation-timeout", properties.getRevocationTimeout(),
				"how long a revocation waits for records in flight, such as 10s");
		positive(violations, "slowRecordThreshold", "slow-record-threshold", properties.getSlowRecordThreshold(),
				"the time a record may run before it is reported, such as 30s");
		return violations;
	}

	/**
	 * Every rule the retry settings break.
	 */
	static List<Violation> violations(EventLoopKafkaProperties.Retry retry) {
		List<Violation> violations = new ArrayList<>();
		atLeastOne(violations, "attempts", "retry.attempts", retry.getAttempts(),
				"the attempts of a failed record, the first included");
		if (retry.getDelay() == null || retry.getDelay().isNegative()) {
			violations.add(violation("delay", "retry.delay", retry.getDelay(), "a delay of zero or more, such as 1s"));
		}
		if (!(retry.getMultiplier() >= 1.0)) {
			// NaN included
			violations.add(violation("multiplier", "retry.multiplier", retry.getMultiplier(),
					"1 for a fixed delay, or more, such as 2"));
		}
		positive(violations, "maxDelay", "retry.max-delay", retry.getMaxDelay(),
				"the longest delay between retries, such as 30s");
		return violations;
	}

	private static void atLeastOne(List<Violation> violations, String field, String property, int value,
			String meaning) {
		if (value < 1) {
			violations.add(violation(field, property, value, "at least 1: " + meaning));
		}
	}

	private static void positive(List<Violation> violations, String field, String property, @Nullable Duration value,
			String meaning) {
		if (value == null || value.isNegative() || value.isZero()) {
			violations.add(violation(field, property, value, "a positive duration: " + meaning));
		}
	}

	private static Violation violation(String field, String property, @Nullable Object value, String fix) {
		return new Violation(field, "eventloop.kafka." + property, value,
				"eventloop.kafka." + property + " must be " + fix + ", but was " + value);
	}

	private static void throwFirst(List<Violation> violations) {
		if (!violations.isEmpty()) {
			throw new IllegalArgumentException(violations.get(0).message());
		}
	}

	/**
	 * A broken rule.
	 *
	 * @param field the field of the properties object it is on
	 * @param property the configuration property
	 * @param value the value it has
	 * @param message what it must be instead
	 */
	record Violation(String field, String property, @Nullable Object value, String message) {
	}

}
