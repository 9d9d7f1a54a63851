/**
 * Test support for code that runs on event loops: {@link dev.eventloop.test.ManualTicker}
 * for time that moves only when a test says so,
 * {@link dev.eventloop.test.EventLoopTestSupport} to wait for loops to settle and run
 * code on a loop, {@link dev.eventloop.test.EventLoopAssertions} for AssertJ assertions,
 * and {@link dev.eventloop.test.AutoConfigureEventLoops} to add the loops to Spring Boot
 * test slices.
 */
@NullMarked
package dev.eventloop.test;

import org.jspecify.annotations.NullMarked;
