/**
 * Spring's {@code @Async} and {@code @Scheduled} on managed event loops: the advisor that
 * runs {@code @Async("<loop>")} methods on the loop, and a task scheduler per loop.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.eventloop.spring.scheduling;

import org.jspecify.annotations.NullMarked;
