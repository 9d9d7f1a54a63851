package dev.eventloop.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import dev.eventloop.LoopFuture;
import dev.eventloop.LoopState;
import dev.eventloop.LoopStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Shutdown with a deep queue and a short budget: every future completes one way or the
 * other, the abandoned tasks are counted, logged and exposed in the stats, and
 * submissions during and after shutdown fail fast.
 */
@Timeout(120)
class ShutdownTests {

	private static final int QUEUED = 100_000;

	private static final Pattern ABANDONED = Pattern.compile("abandoned (\\d+) queued tasks");

	private final List<EventLoopGroup> groups = new ArrayList<>();

	// held by one task per loop until the test has queued its work and begun shutdown
	private final CountDownLatch gate = new CountDownLatch(1);

	@AfterEach
	void shutdownGroups() {
		this.gate.countDown();
		this.groups.forEach((group) -> group.shutdownGracefully(Duration.ZERO));
	}

	@Test
	void shutdownWithNoBudgetLeftAbandonsEveryQueuedTaskAndSaysSo() throws Exception {
		EventLoop loop = (EventLoop) group("draining", 1);
		holdLoops(loop);
		AtomicIntegerArray ran = new AtomicIntegerArray(QUEUED);
		List<LoopFuture<Integer>> futures = submitAll(loop, ran);

		try (LogCapture log = LogCapture.of(EventLoop.class)) {
			CompletableFuture<Void> termination = loop.shutdownGracefully(Duration.ZERO);
			assertRefusedFast(loop, "SHUTTING_DOWN");
			this.gate.countDown();
			termination.get(30, TimeUnit.SECONDS);

			assertThat(futures).allSatisfy((future) -> assertThat(abandoned(future)).isTrue());
			assertThat(ranCount(ran)).isZero();
			assertThat(loop.stats().tasks().abandoned()).isEqualTo(QUEUED);
			assertThat(loggedAbandoned(log)).isEqualTo(QUEUED);
		}
		assertRefusedFast(loop, "TERMINATED");
		assertCountsAddUp(loop.stats());
	}

	@Test
	void shutdownWithAShortBudgetRunsWhatItCanAndFailsTheRestSoThatEveryFutureCompletes() throws Exception {
		EventLoopGroup group = group("draining", 4);
		holdLoops(group);
		AtomicIntegerArray ran = new AtomicIntegerArray(QUEUED);
		List<LoopFuture<Integer>> futures = submitAll(group, ran);

		try (LogCapture log = LogCapture.of(EventLoop.class)) {
			CompletableFuture<Void> termination = group.shutdownGracefully(Duration.ofMillis(20));
			for (EventLoop loop : group.loops()) {
				assertRefusedFast(loop, "SHUTTING_DOWN");
			}
			this.gate.countDown();
			termination.get(30, TimeUnit.SECONDS);

			long completed = 0;
			long abandoned = 0;
			for (int i = 0; i < QUEUED; i++) {
				LoopFuture<Integer> future = futures.get(i);
				assertThat(future).isDone();
				if (abandoned(future)) {
					assertThat(ran.get(i)).as("task %d failed as abandoned but ran", i).isZero();
					abandoned++;
				}
				else {
					assertThat(future.get()).isEqualTo(i);
					assertThat(ran.get(i)).as("task %d", i).isEqualTo(1);
					completed++;
				}
			}
			assertThat(completed + abandoned).isEqualTo(QUEUED);
			// each loop has far more queued work than its 20 ms budget can run (see
			// smallWork), so each abandons some: the case under test did happen
			assertThat(abandoned).isPositive();
			for (EventLoop loop : group.loops()) {
				assertThat(loop.stats().tasks().abandoned()).as(loop.name()).isPositive();
			}
			long statsAbandoned = group.loops().stream().mapToLong((loop) -> loop.stats().tasks().abandoned()).sum();
			assertThat(statsAbandoned).isEqualTo(abandoned);
			assertThat(loggedAbandoned(log)).isEqualTo(abandoned);
			System.out.printf("shutdown with 20 ms budget: %d of %d queued tasks ran, %d abandoned%n", completed,
					QUEUED, abandoned);
		}
		for (EventLoop loop : group.loops()) {
			assertRefusedFast(loop, "TERMINATED");
			assertCountsAddUp(loop.stats());
		}
	}

	@Test
	void timersPendingAtShutdownAreCancelledAndCountedAsAbandoned() throws Exception {
		EventLoop loop = (EventLoop) group("timers", 1);
		List<LoopFuture<Void>> oneShot = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			oneShot.add(loop.schedule(() -> {
			}, Duration.ofHours(1)));
		}
		// armed on the loop's own timer heap, not travelling through the queue
		loop.submit(() -> oneShot.add(loop.schedule(() -> {
		}, Duration.ofHours(1)))).get(30, TimeUnit.SECONDS);
		loop.submit(() -> "armed").get(30, TimeUnit.SECONDS);

		loop.shutdownGracefully(Duration.ofSeconds(5)).get(30, TimeUnit.SECONDS);

		assertThat(oneShot).hasSize(11).allSatisfy((future) -> {
			assertThat(future.isCancelled()).isTrue();
			// the cause as completed, not as re-thrown by get(), which varies by JDK
			assertThat(future.handle((value, ex) -> ex).join()).isInstanceOf(CancellationException.class)
				.hasMessageContaining("shut down before this scheduled task was due");
		});
		LoopStats stats = loop.stats();
		assertThat(stats.tasks().submitted()).isEqualTo(13);
		assertThat(stats.tasks().completed()).isEqualTo(2);
		assertThat(stats.tasks().abandoned()).isEqualTo(11);
		assertCountsAddUp(stats);
	}

	@Test
	void timersStillInTheQueueAtShutdownAreCancelledIfTheDrainReachesThemAndAbandonedIfNot() throws Exception {
		// the drain reaches them: cancelled as armed timers are
		EventLoop drained = (EventLoop) group("queued-timers-drained", 1);
		holdLoops(drained);
		List<LoopFuture<Void>> reached = scheduleFromAnotherThread(drained);
		CompletableFuture<Void> termination = drained.shutdownGracefully(Duration.ofSeconds(30));
		this.gate.countDown();
		termination.get(30, TimeUnit.SECONDS);
		assertThat(reached).allSatisfy((future) -> assertThat(future.handle((value, ex) -> ex).join())
			.isInstanceOf(CancellationException.class)
			.hasMessageContaining("shut down before this scheduled task was due"));
		assertThat(drained.stats().tasks().abandoned()).isEqualTo(5);
		assertCountsAddUp(drained.stats());

		// no budget left: swept with the queued tasks around them
		CountDownLatch gate = new CountDownLatch(1);
		EventLoop swept = (EventLoop) group("queued-timers-swept", 1);
		CountDownLatch held = new CountDownLatch(1);
		swept.execute(() -> {
			held.countDown();
			try {
				gate.await(60, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
		List<LoopFuture<Void>> notReached = scheduleFromAnotherThread(swept);
		termination = swept.shutdownGracefully(Duration.ZERO);
		gate.countDown();
		termination.get(30, TimeUnit.SECONDS);
		assertThat(notReached).allSatisfy((future) -> assertThat(abandoned(future)).isTrue());
		assertThat(swept.stats().tasks().abandoned()).isEqualTo(5);
		assertCountsAddUp(swept.stats());
	}

	/**
	 * Schedule five timers from the test thread while the loop is held: they wait in its
	 * queue, not yet armed.
	 */
	private static List<LoopFuture<Void>> scheduleFromAnotherThread(EventLoop loop) {
		List<LoopFuture<Void>> timers = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			timers.add(loop.schedule(() -> {
			}, Duration.ofHours(1)));
		}
		assertThat(loop.stats().queue().size()).isEqualTo(5);
		assertThat(timers).noneMatch(CompletableFuture::isDone);
		return timers;
	}

	private EventLoopGroup group(String name, int threads) {
		EventLoopGroup group = EventLoopGroup.builder(name)
			.threads(threads)
			.daemon(true)
			.stallThreshold(Duration.ofSeconds(60))
			.build();
		this.groups.add(group);
		return group;
	}

	private void holdLoops(EventLoopGroup group) throws InterruptedException {
		CountDownLatch held = new CountDownLatch(group.size());
		for (EventLoop loop : group.loops()) {
			loop.execute(() -> {
				held.countDown();
				try {
					// the loop is held on purpose until shutdown has begun
					this.gate.await(60, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			});
		}
		assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
	}

	private static List<LoopFuture<Integer>> submitAll(EventLoopGroup group, AtomicIntegerArray ran) {
		List<LoopFuture<Integer>> futures = new ArrayList<>(QUEUED);
		for (int i = 0; i < QUEUED; i++) {
			int index = i;
			futures.add(group.forKey(i).submit(() -> {
				ran.incrementAndGet(index);
				smallWork();
				return index;
			}));
		}
		assertThat(futures).noneMatch(CompletableFuture::isDone);
		return futures;
	}

	private static void assertRefusedFast(EventLoop loop, String state) {
		String expected = "Event loop '" + loop.name() + "' is " + state + " and accepts no new tasks";
		LoopFuture<String> submitted = loop.submit(() -> "late");
		assertThat(submitted).isCompletedExceptionally();
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> submitted.get(0, TimeUnit.SECONDS))
			.withCauseInstanceOf(RejectedExecutionException.class)
			.withMessageContaining(expected);
		assertThatExceptionOfType(RejectedExecutionException.class).isThrownBy(() -> loop.execute(() -> {
		})).withMessageContaining(expected);
		assertThat(loop.schedule(() -> {
		}, Duration.ZERO)).isCompletedExceptionally();
	}

	private static boolean abandoned(LoopFuture<?> future) {
		if (!future.isCompletedExceptionally()) {
			return false;
		}
		Throwable cause = future.handle((value, ex) -> ex).join();
		assertThat(cause).isInstanceOf(RejectedExecutionException.class)
			.hasMessageContaining("shut down before this task ran");
		return true;
	}

	private static long ranCount(AtomicIntegerArray ran) {
		long count = 0;
		for (int i = 0; i < ran.length(); i++) {
			count += ran.get(i);
		}
		return count;
	}

	private static long loggedAbandoned(LogCapture log) {
		long total = 0;
		for (LogRecord record : log.records()) {
			Matcher matcher = ABANDONED.matcher(String.valueOf(record.getMessage()));
			if (matcher.find()) {
				assertThat(record.getLevel()).isEqualTo(Level.WARNING);
				total += Long.parseLong(matcher.group(1));
			}
		}
		return total;
	}

	/**
	 * Every accepted task ran to completion, failed, or was abandoned.
	 */
	private static void assertCountsAddUp(LoopStats stats) {
		assertThat(stats.state()).isEqualTo(LoopState.TERMINATED);
		assertThat(stats.tasks().submitted()).as("submitted of %s", stats)
			.isEqualTo(stats.tasks().completed() + stats.tasks().failed() + stats.tasks().abandoned());
	}

	/**
	 * About 20 µs of work: slow enough that a loop's share of the queued tasks (25,000)
	 * takes far longer than a 20 ms budget.
	 */
	private static long smallWork() {
		long x = System.nanoTime();
		long until = x + 20_000;
		while (System.nanoTime() - until < 0) {
			x = x * 6364136223846793005L + 1442695040888963407L;
		}
		return x;
	}

}
