package dev.eventloop.spring.autoconfigure.kafka;

import java.time.Duration;
import java.util.List;

import dev.eventloop.spring.kafka.RecordOrdering;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Configuration properties of Kafka consumption on event loops, under the
 * {@code eventloop.kafka} prefix. They check themselves when bound, so that a bad value
 * fails startup with Boot's report of the property, its value and where it was set.
 *
 * @since 0.1.0
 */
@ConfigurationProperties("eventloop.kafka")
public class EventLoopKafkaProperties implements Validator {

	/**
	 * Whether Kafka listener methods that run on event loops get the starter's
	 * backpressure, commit and drain handling.
	 */
	private boolean enabled = true;

	/**
	 * Records of one loop queued on it at most; further records for that loop are held,
	 * and their partitions paused, until the loop has run some. Capped by the loop's
	 * queue capacity when that is bounded.
	 */
	private int highWaterMark = 256;

	/**
	 * Time a consumer waits, when its partitions are revoked or it stops, for the records
	 * of those partitions still in flight on the loops, so that their offsets are
	 * committed before another consumer takes over.
	 */
	private Duration revocationTimeout = Duration.ofSeconds(10);

	/**
	 * Time between commits of the offsets of records the loops have completed; also the
	 * longest a consumer waiting for records goes without committing.
	 */
	private Duration commitInterval = Duration.ofMillis(100);

	/**
	 * Which records of a partition may be processed at the same time, for listeners
	 * without their own @KafkaOrdering: "key" (one record per key until its future
	 * completes), "partition" (one record per partition) or "unordered".
	 */
	private RecordOrdering ordering = RecordOrdering.KEY;

	/**
	 * Records one consumer has taken and not yet completed at most, those waiting for
	 * their key included; further records are held and their partitions paused until
	 * records complete.
	 */
	private int maxInFlight = 1000;

	/**
	 * Time in flight after which a record is logged (once) and counted as slow.
	 */
	private Duration slowRecordThreshold = Duration.ofSeconds(30);

	/**
	 * Retries of failed records by the error handler the starter configures when the
	 * application defines no CommonErrorHandler bean.
	 */
	private final Retry retry = new Retry();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public int getHighWaterMark() {
		return this.highWaterMark;
	}

	public void setHighWaterMark(int highWaterMark) {
		this.highWaterMark = highWaterMark;
	}

	public Duration getRevocationTimeout() {
		return this.revocationTimeout;
	}

	public void setRevocationTimeout(Duration revocationTimeout) {
		this.revocationTimeout = revocationTimeout;
	}

	public Duration getCommitInterval() {
		return this.commitInterval;
	}

	public void setCommitInterval(Duration commitInterval) {
		this.commitInterval = commitInterval;
	}

	public RecordOrdering getOrdering() {
		return this.ordering;
	}

	public void setOrdering(RecordOrdering ordering) {
		this.ordering = ordering;
	}

	public int getMaxInFlight() {
		return this.maxInFlight;
	}

	public void setMaxInFlight(int maxInFlight) {
		this.maxInFlight = maxInFlight;
	}

	public Duration getSlowRecordThreshold() {
		return this.slowRecordThreshold;
	}

	public void setSlowRecordThreshold(Duration slowRecordThreshold) {
		this.slowRecordThreshold = slowRecordThreshold;
	}

	public Retry getRetry() {
		return this.retry;
	}

	/**
	 * Whether these properties, or their retry settings, are what {@link #validate}
	 * checks.
	 * @param type the class to check
	 * @return whether it is one of those
	 */
	@Override
	public boolean supports(Class<?> type) {
		return EventLoopKafkaProperties.class.isAssignableFrom(type) || Retry.class.isAssignableFrom(type);
	}

	/**
	 * Reject the values that break a rule of the starter's Kafka dispatch (see
	 * {@code docs/kafka.md}, "Settings"), each on its own field, as Boot binds these
	 * properties and then their retry settings.
	 * @param target these properties or their retry settings
	 * @param errors where the rejections go
	 */
	@Override
	public void validate(Object target, Errors errors) {
		List<KafkaSettings.Violation> violations = (target instanceof Retry settings)
				? KafkaSettings.violations(settings) : KafkaSettings.violations((EventLoopKafkaProperties) target);
		for (KafkaSettings.Violation violation : violations) {
			errors.rejectValue(violation.field(), "invalid", violation.message());
		}
	}

	/**
	 * Retries of failed records, by the error handler the starter configures.
	 */
	public static class Retry {

		/**
		 * Attempts of a failed record, the first included, before it is recovered (by the
		 * ConsumerRecordRecoverer bean, if there is one, otherwise logged).
		 */
		private int attempts = 10;

		/**
		 * Time before the first retry; it waits on the record's loop timer, holding only
		 * the record's key.
		 */
		private Duration delay = Duration.ZERO;

		/**
		 * Factor applied to the delay after each retry; 1 keeps it fixed.
		 */
		private double multiplier = 1.0;

		/**
		 * Longest delay between retries.
		 */
		private Duration maxDelay = Duration.ofSeconds(30);

		public int getAttempts() {
			return this.attempts;
		}

		public void setAttempts(int attempts) {
			this.attempts = attempts;
		}

		public Duration getDelay() {
			return this.delay;
		}

		public void setDelay(Duration delay) {
			this.delay = delay;
		}

		public double getMultiplier() {
			return this.multiplier;
		}

		public void setMultiplier(double multiplier) {
			this.multiplier = multiplier;
		}

		public Duration getMaxDelay() {
			return this.maxDelay;
		}

		public void setMaxDelay(Duration maxDelay) {
			this.maxDelay = maxDelay;
		}

	}

}
