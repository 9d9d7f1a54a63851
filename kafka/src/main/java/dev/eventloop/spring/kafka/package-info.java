/**
 * Key-affine, loss-free consumption of Kafka records on event loops: a
 * {@code @KafkaListener} method annotated with
 * {@link dev.eventloop.spring.OnEventLoop @OnEventLoop} and a key expression gets
 * backpressure instead of rejection, commits that follow completion, failures handed to
 * the container's error handler, and in-flight records drained when partitions are
 * revoked or the application stops.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.eventloop.spring.kafka;

import org.jspecify.annotations.NullMarked;
