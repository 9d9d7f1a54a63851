/**
 * Auto-configuration of BlockHound support for managed event loops.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.eventloop.spring.autoconfigure.blockhound;

import org.jspecify.annotations.NullMarked;
