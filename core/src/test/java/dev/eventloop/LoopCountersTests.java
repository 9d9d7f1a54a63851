package dev.eventloop;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LoopCounters}.
 */
class LoopCountersTests {

	// never started: it lends its parts (queue, probe, monitor), wired as every loop
	// wires them, to the counters' readings; nothing consumes its queue
	private final EventLoop unstarted = new EventLoop("counted", EventLoop.builder("counted").settings(), null);

	private final LoopCounters counters = this.unstarted.counters();

	private final TaskQueue queue = queueOf(this.unstarted);

	private static TaskQueue queueOf(EventLoop loop) {
		try {
			Field queue = EventLoop.class.getDeclaredField("queue");
			queue.setAccessible(true);
			return (TaskQueue) queue.get(loop);
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Test
	void everyCountStartsAtZero() {
		assertThat(this.counters.snapshot()).isEqualTo(new LoopStats.Tasks(0, 0, 0, 0, 0, 0, 0));
		assertThat(this.counters.queueSize()).isZero();
		assertThat(this.counters.runSequence()).isZero();
		assertThat(this.counters.running()).isFalse();
		assertThat(this.counters.stalled()).isFalse();
		assertThat(this.counters.utilization()).isZero();
	}

	@Test
	void loopThreadCountsAreReadByTheirGetters() {
		this.counters.completedOne();
		this.counters.completedOne();
		this.counters.failedOne();
		this.counters.inlineOne();
		this.counters.inlineOne();
		this.counters.inlineOne();
		assertThat(this.counters.completed()).isEqualTo(2);
		assertThat(this.counters.failed()).isOne();
		assertThat(this.counters.inline()).isEqualTo(3);
	}

	@Test
	void anyThreadCountsAreReadByTheirGetters() {
		this.counters.rejectedOne();
		this.counters.abandoned(4);
		this.counters.abandoned(2);
		this.counters.blockingViolation();
		assertThat(this.counters.rejected()).isOne();
		assertThat(this.counters.abandoned()).isEqualTo(6);
		assertThat(this.counters.blockingViolations()).isOne();
	}

	@Test
	void snapshotHoldsTheSameCountsAsTheGetters() {
		this.counters.scheduledOnLoop();
		this.counters.inlineOne();
		this.counters.completedOne();
		this.counters.failedOne();
		this.counters.rejectedOne();
		this.counters.abandoned(1);
		this.counters.blockingViolation();
		assertThat(this.counters.snapshot()).isEqualTo(new LoopStats.Tasks(1, 1, 1, 1, 1, 1, 1));
	}

	@Test
	void runSequenceCountsStartedTasksAndBusySaysWhetherOneIsRunning() {
		this.counters.taskStarting();
		this.counters.busy(true);
		assertThat(this.counters.runSequence()).isOne();
		assertThat(this.counters.running()).isTrue();
		this.counters.busy(false);
		this.counters.taskStarting();
		assertThat(this.counters.runSequence()).isEqualTo(2);
		assertThat(this.counters.running()).isFalse();
	}

	@Test
	void submittedCountsUserTasksQueuedAndTimersArmedOnTheLoopButNoInternalTasks() {
		this.queue.enqueue(() -> {
		});
		this.queue.enqueue(() -> {
		});
		this.queue.enqueueInternal(new TaskQueueTests.NoOpInternalTask());
		this.counters.scheduledOnLoop();
		assertThat(this.counters.submitted()).isEqualTo(3);
		assertThat(this.counters.queueSize()).isEqualTo(3);
	}

	@Test
	void aLoopCountsTheTasksItRan() throws Exception {
		EventLoop loop = EventLoop.builder("counted").uncaughtExceptionHandler((thread, ex) -> {
		}).build();
		try {
			loop.submit(() -> "ok").get(30, TimeUnit.SECONDS);
			loop.execute(() -> {
				throw new IllegalStateException("task failure");
			});
			loop.submit(() -> "ok").get(30, TimeUnit.SECONDS);
			LoopCounters counters = loop.counters();
			assertThat(counters.submitted()).isEqualTo(3);
			assertThat(counters.completed()).isEqualTo(2);
			assertThat(counters.failed()).isOne();
			assertThat(counters.queueSize()).isZero();
		}
		finally {
			loop.shutdownGracefully(Duration.ZERO).orTimeout(30, TimeUnit.SECONDS).join();
		}
	}

}
