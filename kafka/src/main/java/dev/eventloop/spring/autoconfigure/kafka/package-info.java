/**
 * Auto-configuration of Kafka consumption on event loops, applied when Spring Kafka is
 * present, and its {@code eventloop.kafka.*} properties.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.eventloop.spring.autoconfigure.kafka;

import org.jspecify.annotations.NullMarked;
