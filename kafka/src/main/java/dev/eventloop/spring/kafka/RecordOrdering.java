package dev.eventloop.spring.kafka;

/**
 * Which records of a partition a {@code @KafkaListener @OnEventLoop} method may process
 * at the same time. Whatever the mode, a record counts as processed when the future its
 * method returns completes, not when the method returns.
 *
 * @since 0.1.0
 * @see KafkaOrdering
 */
public enum RecordOrdering {

	/**
	 * A record starts only once the previous record of its key (the value of the method's
	 * {@code @OnEventLoop} key) has completed; records of other keys keep flowing. The
	 * default.
	 */
	KEY,

	/**
	 * One record at a time per partition, in offset order.
	 */
	PARTITION,

	/**
	 * No order: records start as they arrive, bounded only by
	 * {@code eventloop.kafka.max-in-flight} and the loops' high-water mark.
	 */
	UNORDERED

}
