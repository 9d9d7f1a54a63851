/**
 * Auto-configuration of Reactor support for managed event loops: loop threads are
 * non-blocking threads for Reactor.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.eventloop.spring.autoconfigure.reactor;

import org.jspecify.annotations.NullMarked;
