package dev.eventloop.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import dev.eventloop.EventLoop;
import dev.eventloop.LoopFuture;
import dev.eventloop.LoopStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * Bounded queues under overload: producers outrun the loop, rejections are counted and
 * fail fast with a clear {@link RejectedExecutionException}, accepted tasks all run, and
 * no loop thread ever waits for space in another loop's full queue.
 */
@Timeout(120)
class OverloadTests {

	private static final Duration BOUND = Duration.ofSeconds(30);

	private final List<EventLoop> loops = new ArrayList<>();

	private final CountDownLatch gate = new CountDownLatch(1);

	@AfterEach
	void shutdownLoops() {
		this.gate.countDown();
		this.loops.forEach((loop) -> loop.shutdownGracefully(Duration.ZERO));
	}

	@Test
	void producersFasterThanTheLoopGetClearRejectionsAndEveryAcceptedTaskRuns() throws Exception {
		int capacity = 256;
		EventLoop overloaded = loop(EventLoop.builder("overloaded").queueCapacity(capacity));
		EventLoop relay = loop(EventLoop.builder("relay"));
		Thread relayThread = relay.submit(Thread::currentThread).get(30, TimeUnit.SECONDS);
		LongAdder ran = new LongAdder();
		Counts counts = new Counts();
		ThreadStateSampler sampler = new ThreadStateSampler(relayThread, overloaded);
		sampler.start();
		try {
			// phase 1: the loop is held by one task, so exactly `capacity` tasks fit
			closeGate(overloaded);
			runProducers(4, 2_000, () -> submitTo(overloaded, ran, counts));
			assertThat(counts.accepted.get()).isEqualTo(capacity);
			assertThat(counts.rejected.get()).isEqualTo(4 * 2_000 - capacity);
			assertThat(overloaded.stats().queue().size()).isEqualTo(capacity);
			// a loop thread relaying work to the full loop is refused at once
			int relayRejected = relay.submit(() -> relayTo(overloaded, 500, ran, counts)).get(30, TimeUnit.SECONDS);
			assertThat(relayRejected).isEqualTo(500);

			// phase 2: the loop runs while producers and the relaying loop keep pushing
			this.gate.countDown();
			LoopFuture<Integer> relaying = relay.submit(() -> relayTo(overloaded, 20_000, ran, counts));
			runProducers(4, 50_000, () -> submitTo(overloaded, ran, counts));
			relaying.get(30, TimeUnit.SECONDS);

			long accepted = counts.accepted.get();
			await().atMost(BOUND).until(() -> ran.sum() == accepted);
			await().atMost(BOUND).until(() -> overloaded.stats().tasks().completed() == accepted + 1);
			LoopStats stats = overloaded.stats();
			assertThat(stats.tasks().submitted()).isEqualTo(accepted + 1);
			assertThat(stats.tasks().rejected()).isEqualTo(counts.rejected.get());
			assertThat(stats.tasks().failed()).isZero();
			assertThat(counts.unclearRejections.get()).isZero();
			assertThat(counts.notFailedFast.get()).isZero();
		}
		finally {
			sampler.stop();
		}
		assertThat(sampler.samples()).isPositive();
		assertThat(sampler.violations()).as("samples of the relay thread parked on the full loop").isEmpty();
	}

	@Test
	void aLoopThreadNeverWaitsForSpaceInAFullQueueThatOtherThreadsWaitFor() throws Exception {
		EventLoop full = loop(EventLoop.builder("full").queueCapacity(8).submitTimeout(Duration.ofMinutes(10)));
		EventLoop relay = loop(EventLoop.builder("relay"));
		LongAdder ran = new LongAdder();
		Counts counts = new Counts();
		closeGate(full);
		for (int i = 0; i < 8; i++) {
			submitTo(full, ran, counts);
		}
		assertThat(counts.accepted.get()).isEqualTo(8);

		// a thread that is not a loop waits for space, parked on the full loop: the
		// thread-state check below can see such a wait
		AtomicReference<LoopFuture<Object>> waited = new AtomicReference<>();
		Thread waiter = new Thread(() -> waited.set(full.submit(() -> {
			ran.increment();
			return null;
		})), "waiting-producer");
		waiter.setDaemon(true);
		waiter.start();
		await().atMost(BOUND).until(() -> waitsOn(waiter, full));

		// a loop thread is refused at once instead: its task returns while the queue is
		// still full, with every submission rejected
		Thread relayThread = relay.submit(Thread::currentThread).get(30, TimeUnit.SECONDS);
		ThreadStateSampler sampler = new ThreadStateSampler(relayThread, full);
		sampler.start();
		int rejected;
		try {
			rejected = relay.submit(() -> relayTo(full, 1_000, ran, counts)).get(30, TimeUnit.SECONDS);
		}
		finally {
			sampler.stop();
		}
		assertThat(rejected).isEqualTo(1_000);
		assertThat(sampler.violations()).isEmpty();
		assertThat(full.stats().queue().size()).isEqualTo(8);
		assertThat(waiter.isAlive()).isTrue();

		this.gate.countDown();
		waiter.join(BOUND.toMillis());
		assertThat(waiter.isAlive()).isFalse();
		assertThat(waited.get().get(30, TimeUnit.SECONDS)).isNull();
		await().atMost(BOUND).until(() -> ran.sum() == 9);
		assertThat(full.stats().tasks().rejected()).isEqualTo(1_000);
	}

	@Test
	void aPeriodicTaskSlowerThanItsPeriodMakesOneOwedRunPerRoundAndQueuedTasksRunBetween() throws Exception {
		EventLoop loop = loop(EventLoop.builder("behind").lagThreshold(Duration.ofMillis(50)));
		AtomicInteger runs = new AtomicInteger();
		List<int[]> queuedRuns = new java.util.concurrent.CopyOnWriteArrayList<>();
		CountDownLatch tenQueued = new CountDownLatch(10);
		try (LogCapture log = LogCapture.of(EventLoop.class)) {
			LoopFuture<Void> periodic = loop.scheduleAtFixedRate(() -> {
				int run = runs.incrementAndGet();
				if (run % 10 == 0 && tenQueued.getCount() > 0) {
					// queued from the periodic task itself: it must run before the task's
					// next owed run, not after the task has caught up (it never does)
					loop.execute(() -> {
						queuedRuns.add(new int[] { run, runs.get() });
						tenQueued.countDown();
					});
				}
				spinFor(TimeUnit.MILLISECONDS.toNanos(2)); // twice its period
			}, Duration.ZERO, Duration.ofMillis(1));
			assertThat(tenQueued.await(60, TimeUnit.SECONDS)).isTrue();
			assertThat(queuedRuns).allSatisfy((pair) -> assertThat(pair[1]).isEqualTo(pair[0]));
			// falling behind is visible: in the lag, and in a log line naming the task
			await().atMost(Duration.ofSeconds(60)).until(() -> loop.stats().lag().lagging());
			await().atMost(Duration.ofSeconds(60))
				.until(() -> !log.containing("runs longer than its period of PT0.001S").isEmpty());
			periodic.cancel(false);
		}
		assertThat(loop.submit(() -> "responsive").get(30, TimeUnit.SECONDS)).isEqualTo("responsive");
	}

	private static void spinFor(long nanos) {
		long until = System.nanoTime() + nanos;
		while (System.nanoTime() - until < 0) {
			Thread.onSpinWait();
		}
	}

	private EventLoop loop(EventLoop.Builder builder) {
		EventLoop loop = builder.daemon(true).stallThreshold(Duration.ofSeconds(60)).build();
		this.loops.add(loop);
		return loop;
	}

	private void closeGate(EventLoop loop) throws InterruptedException {
		CountDownLatch held = new CountDownLatch(1);
		loop.execute(() -> {
			held.countDown();
			awaitGate();
		});
		assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
	}

	private void awaitGate() {
		try {
			// the loop is held on purpose: this blocking is the overload under test
			if (!this.gate.await(60, TimeUnit.SECONDS)) {
				throw new IllegalStateException("gate was never opened");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static void runProducers(int producers, int tasksEach, Runnable submitOne) throws InterruptedException {
		List<Thread> threads = new ArrayList<>();
		for (int p = 0; p < producers; p++) {
			Thread thread = new Thread(() -> {
				for (int i = 0; i < tasksEach; i++) {
					submitOne.run();
				}
			}, "producer-" + p);
			thread.setDaemon(true);
			threads.add(thread);
			thread.start();
		}
		for (Thread thread : threads) {
			thread.join(BOUND.toMillis());
			if (thread.isAlive()) {
				fail(thread.getName() + " did not finish submitting");
			}
		}
	}

	/**
	 * Submit one small task; a rejected one must have failed before submit returned.
	 */
	private static void submitTo(EventLoop loop, LongAdder ran, Counts counts) {
		LoopFuture<Long> future = loop.submit(() -> {
			ran.increment();
			return smallWork();
		});
		counts.record(future, loop.name());
	}

	private static int relayTo(EventLoop target, int tasks, LongAdder ran, Counts counts) {
		int rejected = 0;
		for (int i = 0; i < tasks; i++) {
			LoopFuture<Long> future = target.submit(() -> {
				ran.increment();
				return smallWork();
			});
			if (counts.record(future, target.name())) {
				rejected++;
			}
		}
		return rejected;
	}

	private static long smallWork() {
		long x = System.nanoTime();
		for (int i = 0; i < 200; i++) {
			x = x * 6364136223846793005L + 1442695040888963407L;
		}
		return x;
	}

	static boolean waitsOn(Thread thread, Object blocker) {
		Thread.State state = thread.getState();
		return (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING)
				&& LockSupport.getBlocker(thread) == blocker;
	}

	/**
	 * Outcomes of submissions as seen by the producers.
	 */
	static final class Counts {

		final AtomicLong accepted = new AtomicLong();

		final AtomicLong rejected = new AtomicLong();

		final AtomicInteger unclearRejections = new AtomicInteger();

		final AtomicInteger notFailedFast = new AtomicInteger();

		/**
		 * Record a submission's outcome and return whether it was rejected.
		 */
		boolean record(CompletableFuture<?> future, String loopName) {
			if (!future.isCompletedExceptionally()) {
				this.accepted.incrementAndGet();
				future.whenComplete((value, ex) -> {
					if (ex != null) {
						this.notFailedFast.incrementAndGet();
					}
				});
				return false;
			}
			this.rejected.incrementAndGet();
			Throwable cause = future.handle((value, ex) -> ex).join();
			if (!(cause instanceof RejectedExecutionException) || !cause.getMessage().contains(loopName)
					|| !cause.getMessage().contains("queue is full")) {
				this.unclearRejections.incrementAndGet();
			}
			return true;
		}

	}

	/**
	 * Samples one thread's state and blocker until stopped, recording every sample in
	 * which it is parked on the given object.
	 */
	static final class ThreadStateSampler {

		private final Thread watched;

		private final Object forbiddenBlocker;

		private final AtomicBoolean running = new AtomicBoolean(true);

		// written by the sampler thread, read after it has joined
		private final List<String> violations = new ArrayList<>();

		private long samples;

		private final Thread sampler;

		ThreadStateSampler(Thread watched, Object forbiddenBlocker) {
			this.watched = watched;
			this.forbiddenBlocker = forbiddenBlocker;
			this.sampler = new Thread(this::sample, "thread-state-sampler");
			this.sampler.setDaemon(true);
		}

		void start() {
			this.sampler.start();
		}

		private void sample() {
			while (this.running.get()) {
				Thread.State state = this.watched.getState();
				Object blocker = LockSupport.getBlocker(this.watched);
				this.samples++;
				if (blocker == this.forbiddenBlocker) {
					this.violations.add(this.watched.getName() + " was " + state + " on " + blocker);
				}
				Thread.onSpinWait();
				Thread.yield();
			}
		}

		void stop() throws InterruptedException {
			this.running.set(false);
			this.sampler.join(BOUND.toMillis());
		}

		long samples() {
			return this.samples;
		}

		List<String> violations() {
			return this.violations;
		}

	}

}
