package dev.eventloop.reliability;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import dev.eventloop.EventLoop;
import dev.eventloop.LoopState;
import dev.eventloop.LoopStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Load: eight producers drive two groups (six loops) with keyed work, two million tasks
 * in all, one in a hundred throwing. Every task is accounted for exactly once, per-key
 * order holds, and every loop is healthy at the end.
 */
class LoadTests {

	static final long TASKS = 2_000_000;

	@Test
	@Timeout(180)
	void twoMillionKeyedTasksAreEachAccountedForExactlyOnceInOrderAndTheLoopsStayHealthy() throws Exception {
		LoadGenerator.Settings settings = new LoadGenerator.Settings();
		settings.trackedTasks = TASKS;
		try (LoadGenerator load = new LoadGenerator(settings)) {
			assertThat(settings.producers).isGreaterThanOrEqualTo(8);
			assertThat(load.loops()).hasSizeGreaterThanOrEqualTo(4);
			holdOneLoopUntilAProducerIsRefused(load);

			load.runTasks();

			long attempted = load.attempted.sum();
			long accepted = load.accepted.sum();
			long rejected = load.rejected.sum();
			assertThat(attempted).isEqualTo(TASKS);
			assertThat(accepted + rejected).isEqualTo(attempted);
			// the held loop's full queue refused at least one task, so the check of the
			// refusals' messages below is never vacuous
			assertThat(rejected).isPositive();
			// everything accepted runs: wait (bounded) for the loops to get through it
			await().atMost(Duration.ofSeconds(90)).until(() -> load.bodyRan.sum() == accepted);
			await().atMost(Duration.ofSeconds(30)).until(() -> load.outcomesReported() == load.acceptedReporting.sum());

			// all loops healthy at the end of the load, before shutdown
			for (EventLoop loop : load.loops()) {
				LoopStats stats = loop.stats();
				assertThat(stats.state()).as(loop.name()).isEqualTo(LoopState.RUNNING);
				assertThat(stats.stall().stalled()).as(loop.name() + " stalled").isFalse();
				assertThat(stats.died()).as(loop.name() + " died").isFalse();
			}

			load.shutdown(Duration.ofSeconds(30));
			System.out.printf("load: %d tasks, %d accepted, %d rejected, %d thrown on purpose, max queue %d%n",
					attempted, accepted, rejected, load.bodyThrew.sum(), load.maxQueueSize.get());

			// each task exactly once: ran (ok or failed)
			// or rejected, never both, never twice
			assertThat(load.perTaskDiscrepancies()).isEmpty();
			assertThat(load.bodyRan.sum()).isEqualTo(accepted);
			assertThat(load.bodyThrew.sum()).isEqualTo(load.acceptedFailing.sum());
			// one task in a hundred throws; a rejected
			// one never ran, so it cannot have thrown
			assertThat(load.acceptedFailing.sum()).isBetween(TASKS / 100 - rejected, TASKS / 100);
			assertThat(load.rejectionsWithoutClearMessage.sum()).isZero();
			assertThat(load.futureFailedOther.sum()).isZero();
			// failures reached their futures, or the
			// uncaught handler for tasks without one
			assertThat(load.futureFailedInjected.sum()).isPositive();
			assertThat(load.handlerFailures.sum()).isPositive();
			assertThat(load.futureFailedInjected.sum() + load.handlerFailures.sum()).isEqualTo(load.bodyThrew.sum());
			// per-key order and affinity: each key's
			// tasks ran 1, 2, 3... on the key's loop
			assertThat(load.orderViolations.sum()).isZero();
			assertThat(load.affinityViolations.sum()).isZero();
			assertThat(load.keysWithMissingTail()).isZero();
			// the loops' own counters agree with what the tasks saw
			assertThat(load.sum((stats) -> stats.tasks().submitted())).isEqualTo(accepted);
			assertThat(load.sum((stats) -> stats.tasks().completed())).isEqualTo(accepted - load.acceptedFailing.sum());
			assertThat(load.sum((stats) -> stats.tasks().failed())).isEqualTo(load.acceptedFailing.sum());
			assertThat(load.sum((stats) -> stats.tasks().rejected())).isEqualTo(rejected);
			assertThat(load.sum((stats) -> stats.tasks().abandoned())).isZero();
			assertThat(load.loops()).allSatisfy((loop) -> assertThat(loop.state()).isEqualTo(LoopState.TERMINATED));
		}
	}

	/**
	 * Hold one loop from its first lag sample until a producer has been refused (or 30
	 * seconds have passed), so that its queue fills and refuses tasks. A lag listener
	 * holds it rather than a task, so that no count of the loop changes.
	 */
	private static void holdOneLoopUntilAProducerIsRefused(LoadGenerator load) {
		AtomicBoolean held = new AtomicBoolean();
		load.loops().get(0).addLagListener((lag) -> {
			if (held.compareAndSet(false, true)) {
				long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
				while (load.rejected.sum() == 0 && System.nanoTime() - deadline < 0) {
					LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
				}
			}
		});
	}

}
