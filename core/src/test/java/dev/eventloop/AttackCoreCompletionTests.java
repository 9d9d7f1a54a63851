package dev.eventloop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Adversarial tests: futures of abandoned and scheduled work complete on the caller's
 * loop, and timers cancelled from other threads are purged.
 */
class AttackCoreCompletionTests {

	private final List<EventLoopGroup> groups = new ArrayList<>();

	@AfterEach
	void shutdown() {
		this.groups.forEach((group) -> group.shutdownGracefully(Duration.ofSeconds(2))
			.orTimeout(10, TimeUnit.SECONDS)
			.exceptionally((ex) -> null)
			.join());
	}

	private <G extends EventLoopGroup> G track(G group) {
		this.groups.add(group);
		return group;
	}

	// a caller on loop A whose tasks loop B abandons at shutdown gets its futures failed
	// on A
	@Test
	@Timeout(30)
	void abandonedTasksOfAnotherLoopCompleteTheCallersFutureOnTheCallersLoop() throws Exception {
		EventLoop a = track(EventLoop.builder("attack-abandon-a").queueCapacity(2).build());
		EventLoop b = EventLoop.builder("attack-abandon-b").build();
		Thread aThread = a.submit(Thread::currentThread).get(5, TimeUnit.SECONDS);
		CountDownLatch bHeld = new CountDownLatch(1);
		CountDownLatch releaseB = new CountDownLatch(1);
		b.execute(() -> {
			bHeld.countDown();
			try {
				releaseB.await(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		assertThat(bHeld.await(5, TimeUnit.SECONDS)).isTrue();
		int count = 20;
		Queue<String> continuationThreads = new ConcurrentLinkedQueue<>();
		CountDownLatch done = new CountDownLatch(count);
		a.submit(() -> {
			a.execute(() -> {
			});
			a.execute(() -> {
			}); // A's queue is now full
			for (int i = 0; i < count; i++) {
				b.submit(() -> 1).whenComplete((value, failure) -> {
					continuationThreads.add(Thread.currentThread().getName() + " (A " + a.state() + ")");
					done.countDown();
				});
			}
			return null;
		}).get(5, TimeUnit.SECONDS);
		b.shutdownGracefully(Duration.ZERO);
		releaseB.countDown();
		b.terminationFuture().get(10, TimeUnit.SECONDS);
		assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(a.state()).isEqualTo(LoopState.RUNNING);
		assertThat(continuationThreads).as("threads that ran A's continuations")
			.containsOnly(aThread.getName() + " (A RUNNING)");
	}

	// timers cancelled from another thread are purged once they are a quarter of the heap
	@Test
	@Timeout(30)
	void aHeapOfTimersAllCancelledFromAnotherThreadIsPurged() throws Exception {
		EventLoop loop = track(EventLoop.builder("attack-purge-small").build());
		List<LoopFuture<Void>> timers = new ArrayList<>();
		for (int i = 0; i < 1000; i++) {
			timers.add(loop.schedule(() -> {
			}, Duration.ofHours(1)));
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> loop.timers().size() == 1000);
		timers.forEach((t) -> t.cancel(false));
		// let the loop take any purge that was queued
		loop.submit(() -> null).get(5, TimeUnit.SECONDS);
		loop.submit(() -> null).get(5, TimeUnit.SECONDS);
		assertThat(loop.timers().size()).as("timers left in the heap after cancelling all 1000 from another thread")
			.isLessThanOrEqualTo(250);
	}

	// a timer scheduled on loop B by a caller on loop A completes the caller's future on
	// A
	@Test
	@Timeout(30)
	void aTimerScheduledOnAnotherLoopCompletesTheCallersFutureOnTheCallersLoop() throws Exception {
		EventLoop a = track(EventLoop.builder("attack-timer-home-a").build());
		EventLoop b = track(EventLoop.builder("attack-timer-home-b").build());
		Thread aThread = a.submit(Thread::currentThread).get(5, TimeUnit.SECONDS);
		Queue<String> continuationThreads = new ConcurrentLinkedQueue<>();
		CountDownLatch done = new CountDownLatch(2);
		a.submit(() -> {
			b.schedule(() -> {
			}, Duration.ofMillis(1)).whenComplete((value, failure) -> {
				continuationThreads.add("schedule: " + Thread.currentThread().getName());
				done.countDown();
			});
			LoopFuture<Void> periodic = b.scheduleAtFixedRate(() -> {
				throw new IllegalStateException("stop");
			}, Duration.ofMillis(1), Duration.ofMillis(1));
			periodic.whenComplete((value, failure) -> {
				continuationThreads.add("scheduleAtFixedRate: " + Thread.currentThread().getName());
				done.countDown();
			});
			return null;
		}).get(5, TimeUnit.SECONDS);
		assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(continuationThreads).as("threads that ran A's continuations of timers on B")
			.containsExactlyInAnyOrder("schedule: " + aThread.getName(), "scheduleAtFixedRate: " + aThread.getName());
	}

}
