/**
 * The runtime of {@link dev.eventloop.spring.OnEventLoop @OnEventLoop} and
 * {@link dev.eventloop.spring.Offload @Offload}: the bean post-processor that proxies
 * annotated beans, the method model and plan cache, key expressions, the interceptor that
 * runs a call on its loop (inline or queued) or off every loop, and the offload executor.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.eventloop.spring.aop;

import org.jspecify.annotations.NullMarked;
