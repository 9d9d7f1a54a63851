package dev.eventloop;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TimerQueue}, against {@link PriorityQueue} as the reference.
 */
class TimerQueueTests {

	private static final EventLoop NO_LOOP = null;

	@Test
	void pollsTimersByDeadlineThenByArmingOrder() {
		TimerQueue timers = new TimerQueue();
		ScheduledTask late = timer(30);
		ScheduledTask firstAt10 = timer(10);
		ScheduledTask secondAt10 = timer(10);
		timers.add(late);
		timers.add(firstAt10);
		timers.add(secondAt10);
		assertThat(List.of(timers.poll(), timers.poll(), timers.poll())).containsExactly(firstAt10, secondAt10, late);
		assertThat(timers.peek()).isNull();
	}

	@Test
	void randomAddsRemovesAndPollsAgreeWithAPriorityQueue() {
		for (long seed = 1; seed <= 20; seed++) {
			Random random = new Random(seed);
			TimerQueue timers = new TimerQueue();
			PriorityQueue<ScheduledTask> reference = new PriorityQueue<>(ScheduledTask::compare);
			List<ScheduledTask> present = new ArrayList<>();
			for (int step = 0; step < 5_000; step++) {
				int action = random.nextInt(10);
				if (action < 5 || present.isEmpty()) {
					ScheduledTask timer = timer(random.nextInt(1000));
					timers.add(timer);
					reference.add(timer);
					present.add(timer);
				}
				else if (action < 8) {
					ScheduledTask victim = present.remove(random.nextInt(present.size()));
					assertThat(timers.remove(victim)).isTrue();
					assertThat(timers.remove(victim)).as("removed twice").isFalse();
					reference.remove(victim);
				}
				else {
					ScheduledTask expected = reference.poll();
					assertThat(timers.peek()).as("seed %d step %d", seed, step).isSameAs(expected);
					present.remove(timers.poll());
				}
				assertThat(timers.size()).isEqualTo(reference.size());
			}
			while (!reference.isEmpty()) {
				assertThat(timers.poll()).isSameAs(reference.poll());
			}
		}
	}

	@Test
	void purgeDropsTimersWhoseFutureIsDoneAndKeepsTheOrderOfTheRest() {
		TimerQueue timers = new TimerQueue();
		PriorityQueue<ScheduledTask> kept = new PriorityQueue<>(ScheduledTask::compare);
		Random random = new Random(7);
		for (int i = 0; i < 10_000; i++) {
			ScheduledTask timer = timer(random.nextInt(100_000));
			timers.add(timer);
			if (i % 10 == 0) {
				kept.add(timer);
			}
			else {
				timer.future.completeExceptionally(new IllegalStateException("cancelled elsewhere"));
			}
		}
		assertThat(timers.purgeDone()).isEqualTo(9_000);
		assertThat(timers.size()).isEqualTo(1_000);
		while (!kept.isEmpty()) {
			assertThat(timers.poll()).isSameAs(kept.poll());
		}
		assertThat(timers.peek()).isNull();
	}

	@Test
	void forEachPendingVisitsEveryTimerInTheHeap() {
		TimerQueue timers = new TimerQueue();
		List<ScheduledTask> added = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			ScheduledTask timer = timer(i);
			timers.add(timer);
			added.add(timer);
		}
		List<ScheduledTask> visited = new ArrayList<>();
		timers.forEachPending(visited::add);
		assertThat(visited).containsExactlyInAnyOrderElementsOf(added);
	}

	@SuppressWarnings("NullAway")
	private static ScheduledTask timer(long deadline) {
		return new ScheduledTask(NO_LOOP, () -> {
		}, deadline, 0, null);
	}

}
