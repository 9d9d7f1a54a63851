/**
 * Auto-configuration of Spring's {@code @Async} and {@code @Scheduled} on managed event
 * loops.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.eventloop.spring.autoconfigure.scheduling;

import org.jspecify.annotations.NullMarked;
