/**
 * Micrometer metrics for event loops.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.eventloop.spring.metrics;

import org.jspecify.annotations.NullMarked;
