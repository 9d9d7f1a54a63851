/**
 * Reactor support: loop threads are non-blocking threads for Reactor.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.eventloop.spring.reactor;

import org.jspecify.annotations.NullMarked;
