package dev.eventloop.spring.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import dev.eventloop.LoopFuture;
import dev.eventloop.LoopState;
import dev.eventloop.spring.autoconfigure.EventLoopAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Shutdown through the application: closing the context with 100 000 tasks queued and a
 * short {@code eventloop.shutdown-timeout} completes every future one way or the other,
 * logs and exposes the number abandoned, and refuses submissions during and after it.
 */
@ExtendWith(OutputCaptureExtension.class)
@Timeout(120)
class ApplicationShutdownTests {

	private static final int QUEUED = 100_000;

	private static final Pattern ABANDONED = Pattern.compile("Event loop '([\\w-]+)' abandoned (\\d+) queued tasks");

	@Test
	void closingTheContextCompletesEveryQueuedFutureAndReportsTheAbandonedOnes(CapturedOutput output) throws Exception {
		SpringApplication application = new SpringApplication(TestApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		ConfigurableApplicationContext context = application.run("--eventloop.loops.work.threads=2",
				"--eventloop.shutdown-timeout=250ms", "--eventloop.defaults.stall-threshold=60s");
		CountDownLatch gate = new CountDownLatch(1);
		Thread closer = new Thread(context::close, "context-closer");
		try {
			EventLoopGroup work = context.getBean("work", EventLoopGroup.class);
			holdLoops(work, gate);
			AtomicIntegerArray ran = new AtomicIntegerArray(QUEUED);
			List<LoopFuture<Integer>> futures = new ArrayList<>(QUEUED);
			for (int i = 0; i < QUEUED; i++) {
				int index = i;
				futures.add(work.forKey(i).submit(() -> {
					ran.incrementAndGet(index);
					return index;
				}));
			}

			closer.start();
			await().atMost(Duration.ofSeconds(30))
				.until(() -> work.loops().stream().allMatch((loop) -> loop.state() == LoopState.SHUTTING_DOWN));
			for (EventLoop loop : work.loops()) {
				assertRefusedFast(loop, "SHUTTING_DOWN");
			}
			gate.countDown();
			closer.join(30_000);
			assertThat(closer.isAlive()).as("context still closing").isFalse();
			assertThat(context.isActive()).isFalse();

			long completed = 0;
			long abandoned = 0;
			for (int i = 0; i < QUEUED; i++) {
				LoopFuture<Integer> future = futures.get(i);
				assertThat(future).as("future %d", i).isDone();
				if (future.isCompletedExceptionally()) {
					assertThatExceptionOfType(ExecutionException.class).isThrownBy(future::get)
						.withCauseInstanceOf(RejectedExecutionException.class)
						.withMessageContaining("shut down before this task ran");
					assertThat(ran.get(i)).as("abandoned task %d ran", i).isZero();
					abandoned++;
				}
				else {
					assertThat(future.get()).isEqualTo(i);
					assertThat(ran.get(i)).isEqualTo(1);
					completed++;
				}
			}
			assertThat(completed + abandoned).isEqualTo(QUEUED);
			// exposed in the loops' stats
			long inStats = work.loops().stream().mapToLong((loop) -> loop.stats().tasks().abandoned()).sum();
			assertThat(inStats).isEqualTo(abandoned);
			// and logged, loop by loop
			assertThat(loggedAbandoned(output.toString())).isEqualTo(abandoned);
			for (EventLoop loop : work.loops()) {
				assertThat(loop.state()).isEqualTo(LoopState.TERMINATED);
				assertRefusedFast(loop, "TERMINATED");
			}
			System.out.printf("context close with %d queued tasks and a 250 ms budget: %d ran, %d abandoned%n", QUEUED,
					completed, abandoned);
		}
		finally {
			gate.countDown();
			context.close();
		}
	}

	private static void holdLoops(EventLoopGroup group, CountDownLatch gate) throws InterruptedException {
		CountDownLatch held = new CountDownLatch(group.size());
		for (EventLoop loop : group.loops()) {
			loop.execute(() -> {
				held.countDown();
				try {
					// the loop is held on purpose until the context has begun to close
					gate.await(60, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			});
		}
		assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
	}

	private static void assertRefusedFast(EventLoop loop, String state) {
		LoopFuture<String> late = loop.submit(() -> "late");
		assertThat(late).isCompletedExceptionally();
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> late.get(0, TimeUnit.SECONDS))
			.withCauseInstanceOf(RejectedExecutionException.class)
			.withMessageContaining("Event loop '" + loop.name() + "' is " + state + " and accepts no new tasks");
	}

	private static long loggedAbandoned(String output) {
		long total = 0;
		Matcher matcher = ABANDONED.matcher(output);
		while (matcher.find()) {
			if (matcher.group(1).startsWith("work-")) {
				total += Long.parseLong(matcher.group(2));
			}
		}
		return total;
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(EventLoopAutoConfiguration.class)
	static class TestApplication {

	}

}
