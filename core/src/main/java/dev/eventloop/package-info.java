/**
 * Event loop runtime: single-threaded {@link dev.eventloop.EventLoop loops}, groups of
 * loops with key affinity, loop-aware {@link dev.eventloop.LoopFuture futures} that
 * refuse to block a loop thread, and the {@link dev.eventloop.AsyncContext} that decides
 * between inline execution and cross-thread submission.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.eventloop;

import org.jspecify.annotations.NullMarked;
