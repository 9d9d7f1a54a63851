package dev.eventloop.spring.autoconfigure.kafka;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties of Kafka consumption on event loops, under the
 * {@code eventloop.kafka} prefix.
 *
 * @since 0.1.0
 */
@ConfigurationProperties("eventloop.kafka")
public class EventLoopKafkaProperties {

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

}
