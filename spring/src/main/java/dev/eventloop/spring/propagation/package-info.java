/**
 * What travels with a task handed to a loop: the caller's thread-local context
 * (Micrometer context propagation) and Spring {@code TaskDecorator} beans, as
 * {@link dev.eventloop.CallableDecorator}s.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.eventloop.spring.propagation;

import org.jspecify.annotations.NullMarked;
