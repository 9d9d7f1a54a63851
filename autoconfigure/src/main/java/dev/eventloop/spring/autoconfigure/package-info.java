/**
 * Auto-configuration of managed event loops: configuration properties, loop beans and
 * their lifecycle, the {@link dev.eventloop.AsyncContext} bean, proxying of
 * {@link dev.eventloop.spring.OnEventLoop @OnEventLoop} and
 * {@link dev.eventloop.spring.Offload @Offload} methods, and startup failure analysis.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.eventloop.spring.autoconfigure;

import org.jspecify.annotations.NullMarked;
