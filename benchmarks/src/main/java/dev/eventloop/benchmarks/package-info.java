/**
 * JMH benchmarks of the event loop against the executors a user would otherwise pick: the
 * JDK single-thread executor, Netty's {@code DefaultEventLoop}, a Vert.x event-loop
 * context and Spring's {@code ThreadPoolTaskExecutor}. Each implementation sits behind
 * one small {@link dev.eventloop.benchmarks.LoopAdapter adapter}; the hop and ledger
 * benchmarks have their own ({@code HopPair}, {@code Ledger}).
 */
@NullMarked
package dev.eventloop.benchmarks;

import org.jspecify.annotations.NullMarked;
