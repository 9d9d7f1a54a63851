/**
 * Auto-configuration of the Micrometer Observation of loop tasks.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.eventloop.spring.autoconfigure.observation;

import org.jspecify.annotations.NullMarked;
