/**
 * Kafka sample: orders consumed key by key on the loops of the {@code accounts} group,
 * each account's state confined to its loop, against a broker started in the same
 * process; and the Kafka throughput benchmark.
 */
@NullMarked
package dev.eventloop.sample.kafka;

import org.jspecify.annotations.NullMarked;
