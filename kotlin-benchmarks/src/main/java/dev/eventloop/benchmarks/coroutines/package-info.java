/**
 * JMH benchmarks of coroutines on an event loop against Kotlin's own single-threaded
 * dispatchers, {@code Dispatchers.Default.limitedParallelism(1)} and
 * {@code newSingleThreadContext}. The coroutine code is in Kotlin ({@code Workloads});
 * the benchmarks are Java, for JMH's annotation processor.
 */
package dev.eventloop.benchmarks.coroutines;
