package dev.eventloop;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link TaskQueue}. The queue is consumed by the test thread; a running loop
 * stands in for the owner whose state, counters and thread the queue consults.
 */
class TaskQueueTests {

	private final EventLoop owner = EventLoop.builder("owner").build();

	private final List<EventLoop> others = new ArrayList<>();

	@AfterEach
	void shutdown() {
		this.owner.shutdownGracefully(Duration.ZERO).orTimeout(30, TimeUnit.SECONDS).join();
		this.others.forEach((loop) -> loop.shutdownGracefully(Duration.ZERO).orTimeout(30, TimeUnit.SECONDS).join());
	}

	/**
	 * A queue of the test's own, consumed by the test thread, that consults the owner's
	 * state, counters, thread and ticker as the owner's own queue does.
	 */
	private static TaskQueue queue(EventLoop owner, int capacity, Duration submitTimeout) {
		try {
			Field lifecycle = EventLoop.class.getDeclaredField("lifecycle");
			lifecycle.setAccessible(true);
			return new TaskQueue(capacity, submitTimeout.toNanos(), owner.name(), (LoopLifecycle) lifecycle.get(owner),
					owner.counters(), owner.thread(), owner.ticker());
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private EventLoop loop(EventLoop.Builder builder) {
		EventLoop loop = builder.build();
		this.others.add(loop);
		return loop;
	}

	@Test
	void aFullBoundedQueueRefusesUserTasksNamingTheLoopAndTheWayOut() {
		TaskQueue queue = queue(this.owner, 2, Duration.ZERO);
		queue.enqueue(() -> {
		});
		queue.enqueue(() -> {
		});
		assertThatExceptionOfType(RejectedExecutionException.class).isThrownBy(() -> queue.enqueue(() -> {
		}))
			.withMessageContaining("Event loop 'owner' rejected a task: its queue is full (2 tasks)")
			.withMessageContaining("raise the queue capacity");
		assertThat(queue.size()).isEqualTo(2);
	}

	@Test
	void aRefusedUserTaskIsCountedAsRejectedOnTheLoop() {
		TaskQueue queue = queue(this.owner, 1, Duration.ZERO);
		queue.enqueue(() -> {
		});
		long before = this.owner.counters().rejected();
		assertThatExceptionOfType(RejectedExecutionException.class).isThrownBy(() -> queue.enqueue(() -> {
		}));
		assertThat(this.owner.counters().rejected()).isEqualTo(before + 1);
	}

	@Test
	void internalTasksAreNeverRefusedByAFullQueue() {
		TaskQueue queue = queue(this.owner, 1, Duration.ZERO);
		queue.enqueue(() -> {
		});
		for (int i = 0; i < 5; i++) {
			queue.enqueueInternal(new NoOpInternalTask());
		}
		assertThat(queue.size()).isEqualTo(6);
	}

	@Test
	void internalTasksDoNotTakeUpTheBound() {
		TaskQueue queue = queue(this.owner, 2, Duration.ZERO);
		queue.enqueueInternal(new NoOpInternalTask());
		queue.enqueueInternal(new NoOpInternalTask());
		queue.enqueue(() -> {
		});
		queue.enqueue(() -> {
		});
		assertThat(queue.size()).isEqualTo(4);
	}

	@Test
	void takingAUserTaskFreesAPlaceButTakingAnInternalTaskDoesNot() {
		TaskQueue queue = queue(this.owner, 1, Duration.ZERO);
		queue.enqueueInternal(new NoOpInternalTask());
		queue.enqueue(() -> {
		});
		assertThat(queue.poll()).isInstanceOf(InternalTask.class);
		assertThatExceptionOfType(RejectedExecutionException.class).isThrownBy(() -> queue.enqueue(() -> {
		}));
		assertThat(queue.poll()).isNotNull().isNotInstanceOf(InternalTask.class);
		queue.enqueue(() -> {
		});
		assertThat(queue.size()).isOne();
	}

	@Test
	void tasksAreTakenInTheOrderTheyWereQueued() {
		TaskQueue queue = queue(this.owner, 0, Duration.ZERO);
		Runnable first = () -> {
		};
		InternalTask second = new NoOpInternalTask();
		Runnable third = () -> {
		};
		queue.enqueue(first);
		queue.enqueueInternal(second);
		queue.enqueue(third);
		assertThat(queue.poll()).isSameAs(first);
		assertThat(queue.relaxedPoll()).isSameAs(second);
		assertThat(queue.poll()).isSameAs(third);
		assertThat(queue.poll()).isNull();
		assertThat(queue.isEmpty()).isTrue();
	}

	@Test
	void userOfferedCountsUserTasksOnly() {
		TaskQueue queue = queue(this.owner, 0, Duration.ZERO);
		queue.enqueue(() -> {
		});
		queue.enqueueInternal(new NoOpInternalTask());
		queue.enqueue(() -> {
		});
		queue.enqueueInternal(new NoOpInternalTask());
		queue.enqueue(() -> {
		});
		assertThat(queue.userOffered()).isEqualTo(3);
	}

	@Test
	void userOfferedKeepsCountingTasksAlreadyTaken() {
		TaskQueue queue = queue(this.owner, 0, Duration.ZERO);
		queue.enqueue(() -> {
		});
		queue.poll();
		assertThat(queue.userOffered()).isOne();
		assertThat(queue.size()).isZero();
	}

	@Test
	void aProducerThatIsNotALoopWaitsForSpaceWithinTheSubmitTimeout() throws Exception {
		EventLoop patient = loop(EventLoop.builder("patient").submitTimeout(Duration.ofSeconds(30)));
		TaskQueue queue = queue(patient, 1, Duration.ofSeconds(30));
		queue.enqueue(() -> {
		});
		Runnable second = () -> {
		};
		CompletableFuture<Void> enqueued = new CompletableFuture<>();
		Thread producer = new Thread(() -> {
			queue.enqueue(second);
			enqueued.complete(null);
		}, "producer");
		producer.start();
		// the producer parks while it waits for space
		await().atMost(Duration.ofSeconds(10)).until(() -> producer.getState() == Thread.State.TIMED_WAITING);
		assertThat(enqueued).isNotDone();
		assertThat(queue.poll()).isNotNull();
		enqueued.get(30, TimeUnit.SECONDS);
		assertThat(queue.poll()).isSameAs(second);
	}

	@Test
	void aProducerOnALoopThreadNeverWaitsForAnotherLoopsFullQueue() {
		EventLoop patient = loop(EventLoop.builder("patient").submitTimeout(Duration.ofMinutes(5)));
		EventLoop producer = loop(EventLoop.builder("producer"));
		TaskQueue queue = queue(patient, 1, Duration.ofMinutes(5));
		queue.enqueue(() -> {
		});
		LoopFuture<Object> attempt = producer.submit(() -> {
			queue.enqueue(() -> {
			});
			return null;
		});
		assertThat(attempt).failsWithin(Duration.ofSeconds(30))
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(RejectedExecutionException.class);
	}

	@Test
	void aLoopThatIsShuttingDownAcceptsNoUserTasks() {
		TaskQueue queue = queue(this.owner, 0, Duration.ZERO);
		this.owner.shutdownGracefully(Duration.ZERO).orTimeout(30, TimeUnit.SECONDS).join();
		assertThatExceptionOfType(RejectedExecutionException.class).isThrownBy(() -> queue.enqueue(() -> {
		})).withMessageContaining("'owner'");
	}

	@Test
	void aTerminatedLoopAcceptsNoInternalTasks() {
		TaskQueue queue = queue(this.owner, 0, Duration.ZERO);
		this.owner.shutdownGracefully(Duration.ZERO).orTimeout(30, TimeUnit.SECONDS).join();
		assertThatExceptionOfType(RejectedExecutionException.class)
			.isThrownBy(() -> queue.enqueueInternal(new NoOpInternalTask()))
			.withMessage("Event loop 'owner' has terminated");
	}

	static final class NoOpInternalTask extends InternalTask {

		@Override
		public void execute() {
		}

		@Override
		public void deliver() {
		}

		@Override
		public void fail(Throwable failure) {
		}

		@Override
		public void abandon(RejectedExecutionException cause) {
		}

	}

}
