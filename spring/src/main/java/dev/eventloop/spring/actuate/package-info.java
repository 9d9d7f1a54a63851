/**
 * Actuator support for event loops: a health indicator per loop and the
 * {@code eventloops} endpoint.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.eventloop.spring.actuate;

import org.jspecify.annotations.NullMarked;
