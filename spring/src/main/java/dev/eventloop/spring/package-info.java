/**
 * Spring annotations for event loops: {@link dev.eventloop.spring.OnEventLoop} runs a
 * bean method on a named loop, {@link dev.eventloop.spring.Offload} runs a blocking bean
 * method off every loop.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.eventloop.spring;

import org.jspecify.annotations.NullMarked;
