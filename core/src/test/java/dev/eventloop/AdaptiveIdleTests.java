package dev.eventloop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for a loop with {@link IdleStrategy#ADAPTIVE}: whether it spins or parks, work
 * given to it runs, its timers fire and it shuts down.
 */
class AdaptiveIdleTests {

	private final List<EventLoopGroup> groups = new ArrayList<>();

	@AfterEach
	void shutdown() {
		this.groups.forEach((group) -> group.shutdownGracefully(Duration.ofSeconds(5)));
	}

	private EventLoop adaptiveLoop(String name) {
		EventLoop loop = EventLoop.builder(name).idleStrategy(IdleStrategy.ADAPTIVE).build();
		this.groups.add(loop);
		return loop;
	}

	@Test
	void tasksFromConcurrentProducersAllRunWhetherTheLoopSpinsOrParks() throws Exception {
		EventLoop loop = adaptiveLoop("adaptive-producers");
		int producers = 4;
		int tasksEach = 20_000;
		CountDownLatch ran = new CountDownLatch(producers * tasksEach);
		List<Thread> threads = new ArrayList<>();
		for (int p = 0; p < producers; p++) {
			Thread producer = new Thread(() -> {
				ThreadLocalRandom random = ThreadLocalRandom.current();
				for (int i = 0; i < tasksEach; i++) {
					loop.execute(ran::countDown);
					// bursts, short gaps and pauses long enough for the loop to park, so
					// that it goes hot and cold while producers race with its idling
					int shape = random.nextInt(1000);
					if (shape < 5) {
						LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(500));
					}
					else if (shape < 100) {
						LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(random.nextInt(1, 30)));
					}
				}
			}, "producer-" + p);
			threads.add(producer);
			producer.start();
		}
		for (Thread producer : threads) {
			producer.join(TimeUnit.SECONDS.toMillis(60));
		}
		assertThat(ran.await(30, TimeUnit.SECONDS)).as("every task ran").isTrue();
	}

	@Test
	void taskSubmittedToALoopParkedAfterBusyTrafficRuns() throws Exception {
		EventLoop loop = adaptiveLoop("adaptive-parked");
		for (int round = 0; round < 20; round++) {
			// a burst makes the loop hot; left alone, its spin runs out and it parks
			for (int i = 0; i < 10_000; i++) {
				loop.execute(() -> {
				});
			}
			awaitParked(loop);
			int value = round;
			assertThat(loop.submit(() -> value).get(5, TimeUnit.SECONDS)).isEqualTo(round);
		}
	}

	@Test
	void roundTripsAreAnsweredAndTheFuturesSpinOnlyWhileTheLoopIsHot() throws Exception {
		EventLoop loop = adaptiveLoop("adaptive-round-trips");
		for (int i = 0; i < 1000; i++) {
			int value = i;
			assertThat(loop.submit(() -> value * 2).get()).isEqualTo(i * 2);
			assertThat(loop.submit(() -> value).join()).isEqualTo(i);
		}
		assertThat(loop.submit(() -> 1)).isInstanceOf(SpinningLoopFuture.class);
	}

	@Test
	void timersFireWhileTheLoopIsIdle() throws Exception {
		EventLoop loop = adaptiveLoop("adaptive-timers");
		for (int i = 0; i < 10_000; i++) {
			loop.execute(() -> {
			});
		}
		CountDownLatch ticks = new CountDownLatch(5);
		LoopFuture<Void> periodic = loop.scheduleAtFixedRate(ticks::countDown, Duration.ofMillis(1),
				Duration.ofMillis(2));
		LoopFuture<Void> once = loop.schedule(() -> {
		}, Duration.ofMillis(20));
		once.get(5, TimeUnit.SECONDS);
		assertThat(ticks.await(5, TimeUnit.SECONDS)).isTrue();
		periodic.cancel(false);
		// with no timer left, the loop parks for good
		awaitParked(loop);
		CountDownLatch late = new CountDownLatch(1);
		loop.schedule(late::countDown, Duration.ofMillis(5));
		assertThat(late.await(5, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void shutdownOfAnIdleLoopTerminatesIt() throws Exception {
		EventLoop parked = adaptiveLoop("adaptive-shutdown-parked");
		parked.submit(() -> 1).get(5, TimeUnit.SECONDS);
		awaitParked(parked);
		parked.shutdownGracefully(Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS);
		assertThat(parked.state()).isEqualTo(LoopState.TERMINATED);

		EventLoop spinning = adaptiveLoop("adaptive-shutdown-spinning");
		for (int i = 0; i < 100_000; i++) {
			spinning.execute(() -> {
			});
		}
		// drained: the loop is idle, hot from the burst, so spinning or about to
		spinning.submit(() -> 1).get(5, TimeUnit.SECONDS);
		spinning.shutdownGracefully(Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS);
		assertThat(spinning.state()).isEqualTo(LoopState.TERMINATED);
		spinning.thread().join(TimeUnit.SECONDS.toMillis(5));
		assertThat(spinning.thread().isAlive()).isFalse();
	}

	private static void awaitParked(EventLoop loop) {
		await().atMost(Duration.ofSeconds(10))
			.until(() -> loop.thread().getState() == Thread.State.WAITING
					|| loop.thread().getState() == Thread.State.TIMED_WAITING);
	}

}
