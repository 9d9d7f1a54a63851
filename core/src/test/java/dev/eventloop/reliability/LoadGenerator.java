package dev.eventloop.reliability;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

import dev.eventloop.AsyncContext;
import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import dev.eventloop.LoopFuture;
import dev.eventloop.LoopStats;

/**
 * Drives event-loop groups with keyed load from several producer threads and accounts for
 * every task: the load of {@code LoadTests} and of the on-demand soak.
 *
 * <p>
 * Keys are owned by one producer each, so each producer numbers the tasks of a key 1, 2,
 * 3... and the loop that owns the key checks that it sees exactly that sequence (per-key
 * order, no loss, no duplicate). Each key belongs to one group, and the task checks that
 * it runs on {@code group.forKey(key)}. Tasks go through three paths in turn:
 * {@code submit}, {@code execute} and {@link AsyncContext#dispatch}. One task in
 * {@code failEvery} throws.
 */
final class LoadGenerator implements AutoCloseable {

	private static final int EXECUTE = 2;

	private static final int DISPATCH = 3;

	private final Settings settings;

	private final List<EventLoopGroup> groups = new ArrayList<>();

	private final AsyncContext context = AsyncContext.create();

	private final int keys;

	// per key: the last sequence number run; written only by the loop that owns the key
	private final AtomicLongArray lastSeen;

	// per key: the last sequence number accepted; written only by the producer that owns
	// the key, read after the producers have joined
	private final long[] lastAccepted;

	// per task, when tracking: how many times its body ran (any thread)
	private final AtomicIntegerArray runs;

	// per task, when tracking: how many times its future or handler reported an outcome
	private final AtomicIntegerArray outcomes;

	// per task, when tracking: 1 if accepted; written by the producer that owns the task,
	// read after the producers have joined
	private final byte[] acceptedTasks;

	// counters: any thread
	final LongAdder attempted = new LongAdder();

	final LongAdder accepted = new LongAdder();

	final LongAdder rejected = new LongAdder();

	final LongAdder acceptedFailing = new LongAdder();

	// accepted tasks that report an outcome: those with a future, and failing ones
	// without (through the uncaught-exception handler)
	final LongAdder acceptedReporting = new LongAdder();

	final LongAdder bodyRan = new LongAdder();

	final LongAdder bodyThrew = new LongAdder();

	final LongAdder futureSucceeded = new LongAdder();

	final LongAdder futureFailedInjected = new LongAdder();

	final LongAdder futureFailedOther = new LongAdder();

	final LongAdder handlerFailures = new LongAdder();

	final LongAdder orderViolations = new LongAdder();

	final LongAdder affinityViolations = new LongAdder();

	final LongAdder rejectionsWithoutClearMessage = new LongAdder();

	// sampled by the monitor thread only, read after it has joined
	final AtomicLong maxQueueSize = new AtomicLong();

	// per loop: lag samples recorded by that loop's thread, read after termination
	private final List<LongList> lagSamples = new ArrayList<>();

	LoadGenerator(Settings settings) {
		this.settings = settings;
		this.keys = settings.producers * settings.keysPerProducer;
		this.lastSeen = new AtomicLongArray(this.keys);
		this.lastAccepted = new long[this.keys];
		int tracked = (settings.trackedTasks > 0) ? Math.toIntExact(settings.trackedTasks) : 0;
		this.runs = new AtomicIntegerArray(tracked);
		this.outcomes = new AtomicIntegerArray(tracked);
		this.acceptedTasks = new byte[tracked];
		for (int i = 0; i < settings.groupSizes.length; i++) {
			EventLoopGroup group = EventLoopGroup.builder("load" + i)
				.threads(settings.groupSizes[i])
				.queueCapacity(settings.queueCapacity)
				.submitTimeout(settings.submitTimeout)
				.stallThreshold(settings.stallThreshold)
				.daemon(true)
				.uncaughtExceptionHandler((thread, ex) -> onUncaught(ex))
				.build();
			for (EventLoop loop : group.loops()) {
				LongList samples = new LongList();
				this.lagSamples.add(samples);
				loop.addLagListener(samples::add);
			}
			this.groups.add(group);
		}
	}

	List<EventLoopGroup> groups() {
		return this.groups;
	}

	List<EventLoop> loops() {
		return this.groups.stream().flatMap((group) -> group.loops().stream()).toList();
	}

	int keys() {
		return this.keys;
	}

	/**
	 * Run exactly {@code settings.trackedTasks} tasks, split evenly over the producers,
	 * and wait for the producers to finish submitting.
	 */
	void runTasks() throws InterruptedException {
		long perProducer = this.settings.trackedTasks / this.settings.producers;
		run((producer, index) -> index < perProducer, perProducer * this.settings.producers);
	}

	/**
	 * Submit tasks for the given duration and wait for the producers to stop.
	 */
	void runFor(Duration duration) throws InterruptedException {
		long stopAt = System.nanoTime() + duration.toNanos();
		run((producer, index) -> (index & 1023) != 0 || System.nanoTime() - stopAt < 0, Long.MAX_VALUE);
	}

	private void run(Continue more, long total) throws InterruptedException {
		CountDownLatch start = new CountDownLatch(1);
		List<Thread> producers = new ArrayList<>();
		for (int p = 0; p < this.settings.producers; p++) {
			int producer = p;
			Thread thread = new Thread(() -> produce(producer, more, start), "load-producer-" + p);
			thread.setDaemon(true);
			producers.add(thread);
			thread.start();
		}
		Thread monitor = new Thread(this::monitorQueues, "load-monitor");
		monitor.setDaemon(true);
		monitor.start();
		start.countDown();
		for (Thread producer : producers) {
			producer.join(this.settings.producerJoinBound.toMillis());
			if (producer.isAlive()) {
				throw new IllegalStateException(
						"Producer " + producer.getName() + " did not finish within " + this.settings.producerJoinBound);
			}
		}
		monitor.interrupt();
		monitor.join(10_000);
	}

	private void monitorQueues() {
		List<EventLoop> loops = loops();
		while (!Thread.currentThread().isInterrupted()) {
			for (EventLoop loop : loops) {
				this.maxQueueSize.accumulateAndGet(loop.stats().queue().size(), Math::max);
			}
			try {
				Thread.sleep(10); // sampling period of the monitor, not synchronisation
			}
			catch (InterruptedException ex) {
				return;
			}
		}
	}

	private void produce(int producer, Continue more, CountDownLatch start) {
		SplittableRandom random = new SplittableRandom(producer * 7919L + 17);
		int firstKey = producer * this.settings.keysPerProducer;
		long perProducer = this.settings.trackedTasks / this.settings.producers;
		try {
			start.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return;
		}
		for (long index = 0; more.test(producer, index); index++) {
			int key = firstKey + random.nextInt(this.settings.keysPerProducer);
			long seq = this.lastAccepted[key] + 1;
			int taskId = (this.settings.trackedTasks > 0) ? Math.toIntExact(producer * perProducer + index) : -1;
			boolean failing = (index % this.settings.failEvery) == this.settings.failEvery - 1;
			this.attempted.increment();
			if (submit(key, seq, taskId, failing, path(index))) {
				this.lastAccepted[key] = seq;
				if (taskId >= 0) {
					this.acceptedTasks[taskId] = 1;
				}
				this.accepted.increment();
				if (failing) {
					this.acceptedFailing.increment();
				}
				if (failing || path(index) != EXECUTE) {
					this.acceptedReporting.increment();
				}
			}
			else {
				this.rejected.increment();
			}
		}
	}

	/**
	 * Choose the path of a producer's task: submit (0 and 1), execute or dispatch, in
	 * turn, shifted every hundred tasks so that failing tasks take every path too.
	 */
	private static int path(long index) {
		return (int) ((index + index / 100) & 3);
	}

	/**
	 * Submit one task through the path chosen by {@code path}; return whether it was
	 * accepted.
	 */
	private boolean submit(int key, long seq, int taskId, boolean failing, int path) {
		EventLoopGroup group = this.groups.get(key % this.groups.size());
		Integer boxedKey = key;
		EventLoop owner = group.forKey(boxedKey);
		if (path == EXECUTE) {
			try {
				owner.execute(() -> runBody(owner, key, seq, taskId, failing));
				return true;
			}
			catch (RejectedExecutionException ex) {
				checkRejection(ex);
				return false;
			}
		}
		Callable<Long> body = () -> runBody(owner, key, seq, taskId, failing);
		LoopFuture<Long> future = (path == DISPATCH) ? this.context.dispatch(group, boxedKey, body)
				: owner.submit(body);
		if (future.isCompletedExceptionally()) {
			Throwable cause = future.handle((value, ex) -> ex).join();
			if (cause instanceof RejectedExecutionException rejection) {
				// a rejected future has failed before submit returns; a task that ran
				// fails with an injected failure instead
				checkRejection(rejection);
				return false;
			}
		}
		future.whenComplete((value, ex) -> onFutureOutcome(taskId, ex));
		return true;
	}

	private void checkRejection(RejectedExecutionException ex) {
		String message = String.valueOf(ex.getMessage());
		if (!message.contains("Event loop 'load") || !message.contains("queue is full")) {
			this.rejectionsWithoutClearMessage.increment();
		}
	}

	private long runBody(EventLoop owner, int key, long seq, int taskId, boolean failing) {
		if (!owner.inLoop()) {
			this.affinityViolations.increment();
		}
		if (this.lastSeen.get(key) != seq - 1) {
			this.orderViolations.increment();
		}
		this.lastSeen.set(key, seq);
		if (taskId >= 0) {
			this.runs.incrementAndGet(taskId);
		}
		this.bodyRan.increment();
		if (failing) {
			this.bodyThrew.increment();
			if ((seq & 1) == 0) {
				// also exercise errors that are not
				// exceptions; the loop must survive both
				throw new InjectedError(key, seq, taskId);
			}
			throw new InjectedFailure(key, seq, taskId);
		}
		return seq;
	}

	long outcomesReported() {
		return this.futureSucceeded.sum() + this.futureFailedInjected.sum() + this.futureFailedOther.sum()
				+ this.handlerFailures.sum();
	}

	private void onFutureOutcome(int taskId, Throwable ex) {
		if (taskId >= 0) {
			this.outcomes.incrementAndGet(taskId);
		}
		if (ex == null) {
			this.futureSucceeded.increment();
		}
		else if (ex instanceof Injected) {
			this.futureFailedInjected.increment();
		}
		else {
			this.futureFailedOther.increment();
		}
	}

	private void onUncaught(Throwable ex) {
		if (ex instanceof Injected injected) {
			this.handlerFailures.increment();
			if (injected.taskId() >= 0) {
				this.outcomes.incrementAndGet(injected.taskId());
			}
		}
		else {
			this.futureFailedOther.increment();
		}
	}

	/**
	 * Check every tracked task: an accepted task ran exactly once, a rejected one never;
	 * a task with a future saw exactly one outcome, as did a failing task without one
	 * (through the uncaught-exception handler). Call after the loops have run everything.
	 * @return descriptions of the first discrepancies, with the total count last
	 */
	List<String> perTaskDiscrepancies() {
		List<String> found = new ArrayList<>();
		long count = 0;
		long perProducer = this.settings.trackedTasks / this.settings.producers;
		for (int id = 0; id < this.runs.length(); id++) {
			long index = id % perProducer;
			boolean accepted = this.acceptedTasks[id] == 1;
			boolean failing = (index % this.settings.failEvery) == this.settings.failEvery - 1;
			boolean hasFuture = path(index) != EXECUTE;
			int expectedRuns = accepted ? 1 : 0;
			int expectedOutcomes = (accepted && (hasFuture || failing)) ? 1 : 0;
			int runs = this.runs.get(id);
			int outcomes = this.outcomes.get(id);
			if (runs != expectedRuns || outcomes != expectedOutcomes) {
				count++;
				if (found.size() < 10) {
					found.add("task " + id + (accepted ? " (accepted)" : " (rejected)") + " ran " + runs
							+ " times and reported " + outcomes + " outcomes");
				}
			}
		}
		if (count > 0) {
			found.add(count + " tasks in all");
		}
		return found;
	}

	/**
	 * Return the number of keys whose last run sequence differs from their last accepted
	 * one. Call after the loops have run everything.
	 */
	long keysWithMissingTail() {
		long missing = 0;
		for (int key = 0; key < this.keys; key++) {
			if (this.lastSeen.get(key) != this.lastAccepted[key]) {
				missing++;
			}
		}
		return missing;
	}

	/**
	 * Return the total of one counter over every loop's stats.
	 */
	long sum(java.util.function.ToLongFunction<LoopStats> counter) {
		return loops().stream().map(EventLoop::stats).mapToLong(counter).sum();
	}

	/**
	 * Shut every group down and wait for it.
	 */
	void shutdown(Duration timeout) {
		CompletableFuture<?>[] terminations = this.groups.stream()
			.map((group) -> group.shutdownGracefully(timeout))
			.toArray(CompletableFuture[]::new);
		CompletableFuture.allOf(terminations).orTimeout(timeout.toMillis() + 30_000, TimeUnit.MILLISECONDS).join();
	}

	/**
	 * Return the given percentile of every lag sample recorded, in nanoseconds. Call
	 * after termination.
	 */
	long lagPercentile(double percentile) {
		long[] all = this.lagSamples.stream().flatMapToLong(LongList::stream).sorted().toArray();
		if (all.length == 0) {
			return 0;
		}
		int index = (int) Math.min(all.length - 1, Math.ceil(percentile * all.length) - 1);
		return all[Math.max(0, index)];
	}

	long lagSampleCount() {
		return this.lagSamples.stream().mapToLong(LongList::size).sum();
	}

	@Override
	public void close() {
		for (EventLoopGroup group : this.groups) {
			group.shutdownGracefully(Duration.ZERO);
		}
		this.context.close();
	}

	static long usedHeapAfterGc() {
		for (int i = 0; i < 3; i++) {
			System.gc();
		}
		return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
	}

	@FunctionalInterface
	private interface Continue {

		boolean test(int producer, long index);

	}

	/**
	 * Settings of a load run.
	 */
	static final class Settings {

		int producers = 8;

		int[] groupSizes = { 4, 2 };

		int keysPerProducer = 64;

		int queueCapacity = 8192;

		Duration submitTimeout = Duration.ofMillis(200);

		Duration stallThreshold = Duration.ofSeconds(30);

		int failEvery = 100;

		long trackedTasks;

		Duration producerJoinBound = Duration.ofMinutes(2);

		@Override
		public String toString() {
			return this.producers + " producers, groups " + Arrays.toString(this.groupSizes) + ", "
					+ this.keysPerProducer + " keys per producer, queue capacity " + this.queueCapacity
					+ ", submit timeout " + this.submitTimeout.toMillis() + " ms, 1 task in " + this.failEvery
					+ " throws";
		}

	}

	/**
	 * A growable list of longs owned by one thread.
	 */
	static final class LongList {

		private long[] values = new long[64];

		private int size;

		void add(long value) {
			if (this.size == this.values.length) {
				this.values = Arrays.copyOf(this.values, this.size * 2);
			}
			this.values[this.size++] = value;
		}

		int size() {
			return this.size;
		}

		java.util.stream.LongStream stream() {
			return Arrays.stream(this.values, 0, this.size);
		}

	}

	/**
	 * A failure thrown on purpose.
	 */
	interface Injected {

		int taskId();

	}

	/**
	 * The exception thrown on purpose by one task in {@code failEvery}.
	 */
	static final class InjectedFailure extends RuntimeException implements Injected {

		private final int taskId;

		InjectedFailure(int key, long seq, int taskId) {
			super("injected failure of task " + seq + " of key " + key, null, false, false);
			this.taskId = taskId;
		}

		@Override
		public int taskId() {
			return this.taskId;
		}

	}

	/**
	 * An {@link Error} thrown on purpose by some failing tasks: the loop must survive it
	 * as it survives exceptions.
	 */
	static final class InjectedError extends Error implements Injected {

		private final int taskId;

		InjectedError(int key, long seq, int taskId) {
			super("injected error of task " + seq + " of key " + key, null, false, false);
			this.taskId = taskId;
		}

		@Override
		public int taskId() {
			return this.taskId;
		}

	}

}
