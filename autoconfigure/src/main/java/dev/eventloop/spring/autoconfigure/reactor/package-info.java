/**
 * Auto-configuration of Reactor support for managed event loops.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.eventloop.spring.autoconfigure.reactor;

import org.jspecify.annotations.NullMarked;
