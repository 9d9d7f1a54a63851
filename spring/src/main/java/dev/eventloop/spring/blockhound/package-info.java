/**
 * BlockHound support: blocking calls made on loop threads are reported through the loops'
 * blocking policy.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.eventloop.spring.blockhound;

import org.jspecify.annotations.NullMarked;
