package dev.eventloop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A loop's after-each-task action clears what a task leaves in thread-locals (the logging
 * MDC, for one) before the next task: after queued tasks, timers and completions handed
 * back to the loop, and never in the middle of a task, inline work included.
 */
class AfterEachTaskTests {

	// stands in for the MDC: thread-local state a task may write and leave behind
	private static final ThreadLocal<String> context = new ThreadLocal<>();

	private final List<EventLoop> loops = new ArrayList<>();

	private final AsyncContext async = AsyncContext.create();

	@AfterEach
	void shutdown() {
		this.async.close();
		this.loops.forEach((loop) -> loop.shutdownGracefully(Duration.ofSeconds(5)).join());
	}

	private EventLoop loop(String name) {
		EventLoop loop = EventLoop.builder(name).afterEachTask(context::remove).build();
		this.loops.add(loop);
		return loop;
	}

	@Test
	void whatAQueuedTaskLeavesBehindIsGoneBeforeTheNextTask() throws Exception {
		EventLoop loop = loop("tidy");
		loop.execute(() -> context.set("user=carol"));
		assertThat(loop.submit(context::get).get(5, TimeUnit.SECONDS)).isNull();
	}

	@Test
	void whatATimerLeavesBehindIsGoneBeforeTheNextTask() throws Exception {
		EventLoop loop = loop("tidy-timer");
		loop.schedule(() -> context.set("user=carol"), Duration.ofMillis(1)).get(5, TimeUnit.SECONDS);
		assertThat(loop.submit(context::get).get(5, TimeUnit.SECONDS)).isNull();
	}

	@Test
	void whatACallbackOfACompletionHandedBackToTheLoopLeavesBehindIsGone() throws Exception {
		EventLoop home = loop("home");
		EventLoop worker = loop("worker");
		CompletableFuture<String> seenAfterCallback = new CompletableFuture<>();
		home.execute(() -> this.async.dispatch(worker, () -> "done").thenAccept((value) -> {
			// runs on home, in the completion handed back to it
			context.set("user=carol");
			home.execute(() -> seenAfterCallback.complete(String.valueOf(context.get())));
		}));
		assertThat(seenAfterCallback.get(5, TimeUnit.SECONDS)).isEqualTo("null");
	}

	@Test
	void inlineWorkRunsInsideItsCallersTaskAndSeesWhatTheCallerSet() throws Exception {
		EventLoop loop = loop("inline");
		List<String> seen = Collections.synchronizedList(new ArrayList<>());
		loop.submit(() -> {
			context.set("caller");
			this.async.dispatch(loop, () -> seen.add("inline saw " + context.get())).join();
			context.set("written inline");
			seen.add("caller after inline saw " + context.get());
			return null;
		}).get(5, TimeUnit.SECONDS);
		seen.add("next task saw " + loop.submit(context::get).get(5, TimeUnit.SECONDS));
		assertThat(seen).containsExactly("inline saw caller", "caller after inline saw written inline",
				"next task saw null");
	}

	@Test
	void aFailingTaskIsFollowedByTheActionAndAFailingActionIsLoggedWhileTheLoopRunsOn() throws Exception {
		EventLoop failing = EventLoop.builder("failing-action").afterEachTask(() -> {
			throw new IllegalStateException("cleanup failed");
		}).build();
		this.loops.add(failing);
		assertThat(failing.submit(() -> "still runs").get(5, TimeUnit.SECONDS)).isEqualTo("still runs");
		assertThat(failing.submit(() -> "and again").get(5, TimeUnit.SECONDS)).isEqualTo("and again");
		EventLoop loop = loop("tidy-failure");
		CompletableFuture<Object> thrown = loop.submit(() -> {
			context.set("user=carol");
			throw new IllegalArgumentException("task failed");
		});
		assertThat(thrown).failsWithin(5, TimeUnit.SECONDS);
		assertThat(loop.submit(context::get).get(5, TimeUnit.SECONDS)).isNull();
	}

	@Test
	void withoutTheActionALoopLeavesThreadLocalsAsTheTaskLeftThem() throws Exception {
		EventLoop loop = EventLoop.builder("untidy").build();
		this.loops.add(loop);
		loop.execute(() -> context.set("user=carol"));
		assertThat(loop.submit(context::get).get(5, TimeUnit.SECONDS)).isEqualTo("user=carol");
	}

}
