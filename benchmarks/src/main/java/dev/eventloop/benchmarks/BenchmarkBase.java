package dev.eventloop.benchmarks;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Settings shared by every benchmark: one fork per parameter set, short warm-up and
 * measurement iterations (so that the whole suite fits in ten minutes on two cores), and
 * a fixed heap so that GC sizing is the same for every implementation.
 */
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g", "-XX:+UseParallelGC" })
@Warmup(iterations = 3, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
public abstract class BenchmarkBase {

}
