/**
 * Micrometer Observation of the tasks that run on managed event loops.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.eventloop.spring.observation;

import org.jspecify.annotations.NullMarked;
