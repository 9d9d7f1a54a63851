package dev.eventloop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The task queue on the JDK the tests run on: on JDK 24 and later, where JCTools' queues
 * built on {@code sun.misc.Unsafe} make the JVM print a deprecation warning, loops start
 * and run without one.
 */
class TaskQueueJdkTests {

	@Test
	void theQueueBuiltOnUnsafeIsUsedOnlyBeforeJdk24() {
		assertThat(TaskQueue.UNSAFE_QUEUE).isEqualTo(Runtime.version().feature() < 24);
	}

	@Test
	void aLoopStartsAndRunsWithoutAnUnsafeWarningOnJdk24AndLater() throws Exception {
		assumeTrue(Runtime.version().feature() >= 24, "JDKs before 24 print no warning for sun.misc.Unsafe");
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		Process process = new ProcessBuilder(
				List.of(java, "-cp", System.getProperty("java.class.path"), LoopProbe.class.getName()))
			.redirectErrorStream(true)
			.start();
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("probe finished").isTrue();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(output).contains("ran on probe").doesNotContain("sun.misc.Unsafe");
		assertThat(process.exitValue()).isZero();
	}

	/**
	 * Starts a loop, runs a task on it and shuts it down, in a JVM of its own.
	 */
	static final class LoopProbe {

		public static void main(String[] args) throws IOException {
			try (EventLoop loop = EventLoop.builder("probe").build()) {
				System.out.println("ran on " + loop.submit(() -> Thread.currentThread().getName()).join());
			}
		}

	}

}
