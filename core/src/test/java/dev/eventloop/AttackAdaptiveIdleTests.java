package dev.eventloop;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Attacks on {@link IdleStrategy#ADAPTIVE}: waiters on its futures while it turns hot and
 * cold, timers due while it spins, shutdown while it spins, and the hot hint that other
 * threads read.
 */
class AttackAdaptiveIdleTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final List<EventLoopGroup> groups = new ArrayList<>();

	private final List<Thread> threads = new ArrayList<>();

	private final AtomicBoolean stop = new AtomicBoolean();

	@AfterEach
	void shutdown() throws InterruptedException {
		this.stop.set(true);
		for (Thread thread : this.threads) {
			thread.join(WAIT.toMillis());
		}
		this.groups.forEach((group) -> group.shutdownGracefully(Duration.ofSeconds(5)));
	}

	private EventLoop adaptiveLoop(String name) {
		EventLoop loop = EventLoop.builder(name).idleStrategy(IdleStrategy.ADAPTIVE).build();
		this.groups.add(loop);
		return loop;
	}

	/**
	 * Keep a loop hot: tasks a few microseconds apart, in bursts with pauses long enough
	 * for the loop to go cold, until the test ends.
	 */
	private void keepBusy(EventLoop loop, boolean withPauses) {
		Thread producer = new Thread(() -> {
			ThreadLocalRandom random = ThreadLocalRandom.current();
			while (!this.stop.get() && loop.state() == LoopState.RUNNING) {
				try {
					loop.execute(() -> {
					});
				}
				catch (RuntimeException ex) {
					return;
				}
				int shape = random.nextInt(1000);
				if (withPauses && shape < 3) {
					LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
				}
				else if (shape < 200) {
					LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(random.nextInt(1, 15)));
				}
			}
		}, "busy-" + loop.name());
		producer.setDaemon(true);
		this.threads.add(producer);
		producer.start();
	}

	@Test
	void waitersFromManyThreadsNeverMissACompletionWhileTheLoopTurnsHotAndCold() throws Exception {
		EventLoop loop = adaptiveLoop("attack-waiters");
		keepBusy(loop, true);
		int waiters = 3;
		int callsEach = 3_000;
		CountDownLatch done = new CountDownLatch(waiters);
		AtomicReference<Throwable> failure = new AtomicReference<>();
		for (int w = 0; w < waiters; w++) {
			int id = w;
			Thread waiter = new Thread(() -> {
				ThreadLocalRandom random = ThreadLocalRandom.current();
				try {
					for (int i = 0; i < callsEach; i++) {
						int value = id * callsEach + i;
						LoopFuture<Integer> future = loop.submit(() -> value);
						// a mix of get, timed get and join: each path spins or parks
						int result = switch (i % 3) {
							case 0 -> future.get();
							case 1 -> future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
							default -> future.join();
						};
						assertThat(result).isEqualTo(value);
						if (random.nextInt(100) == 0) {
							// long enough for the loop to park and go cold
							LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
						}
					}
				}
				catch (Throwable ex) {
					failure.compareAndSet(null, ex);
				}
				finally {
					done.countDown();
				}
			}, "waiter-" + w);
			waiter.setDaemon(true);
			this.threads.add(waiter);
			waiter.start();
		}
		assertThat(done.await(WAIT.toSeconds() * 2, TimeUnit.SECONDS)).as("every waiter got every result").isTrue();
		assertThat(failure.get()).isNull();
	}

	@Test
	void waiterOnAFutureOfAHotLoopParksInsteadOfSpinningUntilTheResultComes() throws Exception {
		EventLoop loop = adaptiveLoop("attack-spin-bound");
		// a burst of short gaps makes the loop hot
		for (int i = 0; i < 50_000; i++) {
			loop.execute(() -> {
			});
		}
		CountDownLatch release = new CountDownLatch(1);
		LoopFuture<String> slow = loop.submit(() -> {
			release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
			return "released";
		});
		AtomicReference<Object> got = new AtomicReference<>();
		Thread waiter = new Thread(() -> {
			try {
				got.set(slow.get());
			}
			catch (Exception ex) {
				got.set(ex);
			}
		}, "waiter-spin-bound");
		waiter.setDaemon(true);
		this.threads.add(waiter);
		waiter.start();
		// the waiter's spin is bounded: it parks while the task still runs
		await().atMost(WAIT).pollInterval(Duration.ofMillis(1)).until(() -> waiter.getState() == Thread.State.WAITING);
		assertThat(slow).isNotDone();
		release.countDown();
		waiter.join(WAIT.toMillis());
		assertThat(got.get()).isEqualTo("released");
	}

	@Test
	void timersDueWhileTheLoopSpinsAllFireAndNoneBeforeItsTime() throws Exception {
		EventLoop loop = adaptiveLoop("attack-timers");
		keepBusy(loop, false);
		int timers = 400;
		CountDownLatch fired = new CountDownLatch(timers);
		Queue<String> early = new ConcurrentLinkedQueue<>();
		for (int i = 0; i < timers; i++) {
			long delayNanos = TimeUnit.MICROSECONDS.toNanos(ThreadLocalRandom.current().nextInt(5, 3_000));
			Runnable timer = () -> {
				long scheduled = System.nanoTime();
				loop.schedule(() -> {
					long late = System.nanoTime() - scheduled - delayNanos;
					if (late < 0) {
						early.add(delayNanos + "ns timer fired " + (-late) + "ns early");
					}
					fired.countDown();
				}, Duration.ofNanos(delayNanos));
			};
			// user timers armed on the loop (while it is hot) and from outside
			if (i % 2 == 0) {
				loop.execute(timer);
			}
			else {
				timer.run();
			}
			if (i % 50 == 0) {
				LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
			}
		}
		assertThat(fired.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("every timer fired").isTrue();
		assertThat(early).isEmpty();
	}

	@Test
	void pingPongBetweenTwoAdaptiveLoopsWithTimerPausesLosesNoWakeUp() throws Exception {
		EventLoop ping = adaptiveLoop("attack-ping");
		EventLoop pong = adaptiveLoop("attack-pong");
		int rounds = 20_000;
		CompletableFuture<Integer> finished = new CompletableFuture<>();
		ping.execute(() -> pingPong(ping, pong, 0, rounds, finished));
		// each result hops back to the loop that asked, through its queue and wake-up
		assertThat(finished.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(rounds);
	}

	private static void pingPong(EventLoop ping, EventLoop pong, int round, int rounds,
			CompletableFuture<Integer> finished) {
		if (round == rounds) {
			finished.complete(round);
			return;
		}
		pong.submit(() -> round + 1).whenComplete((next, failure) -> {
			if (failure != null) {
				finished.completeExceptionally(failure);
			}
			else if (!ping.inLoop()) {
				finished.completeExceptionally(new AssertionError("result of round " + round + " not on its loop"));
			}
			else if (next % 1_000 == 0) {
				// a pause long enough for both loops to go cold, then a timer resumes
				ping.schedule(() -> pingPong(ping, pong, next, rounds, finished), Duration.ofMillis(2));
			}
			else {
				pingPong(ping, pong, next, rounds, finished);
			}
		});
	}

	@Test
	void shutdownWhileTheLoopSpinsTerminatesIt() throws Exception {
		for (int round = 0; round < 15; round++) {
			EventLoop loop = adaptiveLoop("attack-shutdown-" + round);
			keepBusy(loop, false);
			// make sure it is hot, then stop it mid-traffic
			await().atMost(WAIT).pollInterval(Duration.ofMillis(1)).until(() -> adaptiveSpin(loop).isHot());
			loop.shutdownGracefully(Duration.ofSeconds(5)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
			assertThat(loop.state()).isEqualTo(LoopState.TERMINATED);
			loop.thread().join(WAIT.toMillis());
			assertThat(loop.thread().isAlive()).isFalse();
		}
	}

	@Test
	void hotHintIsSeenByOtherThreadsAndGoesColdOnceTheLoopIdles() throws Exception {
		EventLoop loop = adaptiveLoop("attack-hint");
		AdaptiveSpin spin = adaptiveSpin(loop);
		assertThat(spin.isHot()).as("a new loop starts cold").isFalse();
		for (int round = 0; round < 5; round++) {
			AtomicBoolean busy = new AtomicBoolean(true);
			Thread producer = new Thread(() -> {
				while (busy.get()) {
					loop.execute(() -> {
					});
					// a few microseconds apart at most: parkNanos would sleep longer
					for (int i = 0; i < 100; i++) {
						Thread.onSpinWait();
					}
				}
			}, "hint-producer-" + round);
			producer.setDaemon(true);
			this.threads.add(producer);
			producer.start();
			await().atMost(WAIT).pollInterval(Duration.ofMillis(1)).until(spin::isHot);
			busy.set(false);
			producer.join(WAIT.toMillis());
			// the spin runs out, the loop parks and says so to threads about to wait
			await().atMost(WAIT).pollInterval(Duration.ofMillis(1)).until(() -> !spin.isHot());
		}
	}

	private static AdaptiveSpin adaptiveSpin(EventLoop loop) throws ReflectiveOperationException {
		Field runner = EventLoop.class.getDeclaredField("runner");
		runner.setAccessible(true);
		Field field = LoopRunner.class.getDeclaredField("adaptive");
		field.setAccessible(true);
		return (AdaptiveSpin) field.get(runner.get(loop));
	}

}
