package dev.eventloop.spring.kafka;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.eventloop.EventLoop;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@link CommittingConsumer} proxy, method by method, against a real
 * {@link MockConsumer} (or a recording stub) beneath it: the handler matches
 * {@link Consumer} methods by name and parameter types, so these tests pin the signatures
 * it relies on, what each intercepted method does, that every other method passes
 * straight through, and that no commit method of the interface, present or future, can
 * commit a tracked partition past its commit point.
 */
class CommittingConsumerTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static final Duration INTERVAL = Duration.ofMillis(20);

	private static final String GROUP = "ledger";

	/** A partition with records on the loops: offsets 0 to 4, of which 2 is held. */
	private static final TopicPartition TRACKED = new TopicPartition("orders", 0);

	/** A partition the starter has no records of. */
	private static final TopicPartition UNTRACKED = new TopicPartition("orders", 1);

	/** The commit point of {@link #TRACKED} while record 2 has not completed. */
	private static final long COMMIT_POINT = 2;

	/**
	 * Every {@link Consumer} method the handler intercepts, by exact signature, with the
	 * return type its interception assumes (it returns {@code null} for the commits and
	 * the poll's records for a poll).
	 */
	private static final Map<String, Class<?>> INTERCEPTED = Map.ofEntries(
			Map.entry("poll(Duration)", ConsumerRecords.class), Map.entry("close()", void.class),
			Map.entry("close(Duration)", void.class), Map.entry("close(CloseOptions)", void.class),
			Map.entry("commitSync()", void.class), Map.entry("commitSync(Duration)", void.class),
			Map.entry("commitSync(Map)", void.class), Map.entry("commitSync(Map,Duration)", void.class),
			Map.entry("commitAsync()", void.class), Map.entry("commitAsync(OffsetCommitCallback)", void.class),
			Map.entry("commitAsync(Map,OffsetCommitCallback)", void.class));

	private final KafkaRecordDispatcher dispatcher = new KafkaRecordDispatcher(new KafkaRecordDispatcher.Settings(16,
			1000, RecordOrdering.UNORDERED, TIMEOUT, INTERVAL, Duration.ofSeconds(30)));

	private final EventLoop loop = EventLoop.builder("committing").build();

	private final Calls calls = new Calls();

	private MockConsumer<String, String> mock;

	private Consumer<String, String> consumer;

	@BeforeEach
	void setUp() {
		KafkaTestSupport.playConsumerThread(this.dispatcher, TRACKED.topic(), GROUP);
		this.mock = new MockConsumer<>("earliest") {

			@Override
			public ConsumerGroupMetadata groupMetadata() {
				return new ConsumerGroupMetadata(GROUP);
			}

		};
		this.mock.assign(List.of(TRACKED, UNTRACKED));
		this.mock.updateBeginningOffsets(Map.of(TRACKED, 0L, UNTRACKED, 0L));
		this.consumer = CommittingConsumer.wrap(this.calls.spy(this.mock), this.dispatcher);
	}

	@AfterEach
	void tearDown() {
		this.loop.close();
		this.dispatcher.destroy();
	}

	// (a) the signatures the handler matches

	static Stream<Arguments> interceptedSignatures() {
		return Stream.of(Arguments.of("poll", List.of(Duration.class)), Arguments.of("close", List.of()),
				Arguments.of("close", List.of(Duration.class)), Arguments.of("close", List.of(CloseOptions.class)),
				Arguments.of("commitSync", List.of()), Arguments.of("commitSync", List.of(Duration.class)),
				Arguments.of("commitSync", List.of(Map.class)),
				Arguments.of("commitSync", List.of(Map.class, Duration.class)), Arguments.of("commitAsync", List.of()),
				Arguments.of("commitAsync", List.of(OffsetCommitCallback.class)),
				Arguments.of("commitAsync", List.of(Map.class, OffsetCommitCallback.class)));
	}

	@ParameterizedTest(name = "{0}{1}")
	@MethodSource("interceptedSignatures")
	void consumerShouldStillDeclareEveryMethodTheHandlerIntercepts(String name, List<Class<?>> parameters)
			throws Exception {
		Method method = Consumer.class.getMethod(name, parameters.toArray(Class<?>[]::new));
		assertThat(method.getDeclaringClass()).isEqualTo(Consumer.class);
		assertThat(method.getReturnType()).as("return type of %s", signature(method))
			.isEqualTo(INTERCEPTED.get(signature(method)));
	}

	// (c) no commit method, poll or close the handler does not know

	@Test
	void everyCommitPollAndCloseMethodOfTheConsumerShouldBeOneTheHandlerIntercepts() {
		Set<String> declared = Arrays.stream(Consumer.class.getMethods())
			.filter((method) -> commitLike(method) || method.getName().startsWith("poll")
					|| method.getName().startsWith("close"))
			.map(CommittingConsumerTests::signature)
			.collect(Collectors.toSet());
		assertThat(declared)
			.as("commit, poll and close methods of %s: a new one may bypass the commit point", Consumer.class.getName())
			.containsExactlyInAnyOrderElementsOf(INTERCEPTED.keySet());
	}

	static Stream<Method> commitMethods() {
		return Arrays.stream(Consumer.class.getMethods())
			.filter(CommittingConsumerTests::commitLike)
			.sorted((a, b) -> signature(a).compareTo(signature(b)));
	}

	/**
	 * Whatever commit methods the interface has, each commits the partition the starter
	 * does not track and never lets a commit of a tracked partition, or a commit of the
	 * positions (which run ahead of the records that completed), reach the consumer.
	 */
	@ParameterizedTest(name = "{0}")
	@MethodSource("commitMethods")
	void noCommitMethodShouldCommitATrackedPartition(Method method) throws Throwable {
		Consumer<String, String> stubbed = CommittingConsumer.wrap(this.calls.stub(), this.dispatcher);
		trackOffsetsZeroToFourHoldingTwo();
		Object[] args = Arrays.stream(method.getParameterTypes()).map((type) -> {
			if (type == Map.class) {
				return new HashMap<>(Map.of(TRACKED, new OffsetAndMetadata(5), UNTRACKED, new OffsetAndMetadata(5)));
			}
			return argument(type);
		}).toArray();

		invoke(stubbed, method, args);

		List<Call> commits = this.calls.commits();
		assertThat(commits).as("commits reaching the consumer").isNotEmpty().allSatisfy((commit) -> {
			assertThat(commit.method().getParameterTypes()).as("offsets of %s", commit).startsWith(Map.class);
			assertThat(List.<Object>copyOf(((Map<?, ?>) commit.args().get(0)).keySet())).as("offsets of %s", commit)
				.doesNotContain(TRACKED)
				.contains(UNTRACKED);
		});
	}

	// (b) each intercepted method, through the proxy

	@Test
	void commitSyncOfOffsetsShouldLeaveTrackedPartitionsOutAndPassTheOthersThrough() throws Exception {
		trackOffsetsZeroToFourHoldingTwo();
		this.consumer.commitSync(offsets(TRACKED, 5, UNTRACKED, 7));

		assertThat(this.calls.commits()).extracting(Call::toString).containsExactly("commitSync(Map)[{orders-1=7}]");
		assertThat(committed(TRACKED)).isNull();
		assertThat(committed(UNTRACKED)).isEqualTo(7);

		this.consumer.commitSync(offsets(TRACKED, 5));
		assertThat(this.calls.commits()).as("nothing left to commit").hasSize(1);
	}

	@Test
	void commitSyncOfOffsetsWithATimeoutShouldLeaveTrackedPartitionsOutAndKeepTheTimeout() throws Exception {
		trackOffsetsZeroToFourHoldingTwo();
		this.consumer.commitSync(offsets(TRACKED, 5, UNTRACKED, 7), Duration.ofSeconds(3));

		assertThat(this.calls.commits()).extracting(Call::toString)
			.containsExactly("commitSync(Map,Duration)[{orders-1=7}, PT3S]");
		assertThat(committed(TRACKED)).isNull();
		assertThat(committed(UNTRACKED)).isEqualTo(7);

		this.consumer.commitSync(offsets(TRACKED, 5), Duration.ofSeconds(3));
		assertThat(this.calls.commits()).as("nothing left to commit").hasSize(1);
	}

	@Test
	void commitAsyncOfOffsetsShouldLeaveTrackedPartitionsOutAndStillCallTheCallback() throws Exception {
		trackOffsetsZeroToFourHoldingTwo();
		List<String> completions = new ArrayList<>();
		OffsetCommitCallback callback = (offsets, failure) -> completions.add(describe(offsets) + " " + failure);

		this.consumer.commitAsync(offsets(TRACKED, 5, UNTRACKED, 7), callback);
		assertThat(this.calls.commits()).singleElement().satisfies((commit) -> {
			assertThat(commit.toString()).startsWith("commitAsync(Map,OffsetCommitCallback)[{orders-1=7}, ");
			assertThat(commit.args().get(1)).isSameAs(callback);
		});
		assertThat(committed(TRACKED)).isNull();
		assertThat(committed(UNTRACKED)).isEqualTo(7);

		// only tracked partitions: nothing reaches the consumer, the callback is told
		// the commit is done
		this.consumer.commitAsync(offsets(TRACKED, 5), callback);
		assertThat(this.calls.commits()).hasSize(1);
		assertThat(completions).containsExactly("{orders-1=7} null", "{} null");
	}

	static Stream<Arguments> commitsWithoutOffsets() {
		OffsetCommitCallback callback = (offsets, failure) -> {
		};
		return Stream.of(
				Arguments.of("commitSync()", (CommitCall) (consumer) -> consumer.commitSync(),
						"commitSync(Map)[{orders-1=9}]"),
				Arguments.of("commitSync(Duration)",
						(CommitCall) (consumer) -> consumer.commitSync(Duration.ofSeconds(3)),
						"commitSync(Map,Duration)[{orders-1=9}, PT3S]"),
				Arguments.of("commitAsync()", (CommitCall) (consumer) -> consumer.commitAsync(),
						"commitAsync(Map,OffsetCommitCallback)[{orders-1=9}, null]"),
				Arguments.of("commitAsync(OffsetCommitCallback)",
						(CommitCall) (consumer) -> consumer.commitAsync(callback),
						"commitAsync(Map,OffsetCommitCallback)[{orders-1=9}, " + callback + "]"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("commitsWithoutOffsets")
	void commitWithoutOffsetsShouldCommitThePositionsOfUntrackedPartitionsOnly(String name, CommitCall commit,
			String reaching) throws Exception {
		trackOffsetsZeroToFourHoldingTwo();
		this.mock.seek(TRACKED, 5);
		this.mock.seek(UNTRACKED, 9);

		commit.call(this.consumer);

		assertThat(this.calls.commits()).extracting(Call::toString).containsExactly(reaching);
		assertThat(committed(TRACKED)).isNull();
		assertThat(committed(UNTRACKED)).isEqualTo(9);
	}

	@Test
	void commitsAndPollsShouldPassThroughUntouchedBeforeAnyRecordOfTheGroupIsDispatched() {
		this.mock.seek(TRACKED, 5);
		this.mock.seek(UNTRACKED, 9);

		this.consumer.commitSync(offsets(TRACKED, 3));
		this.consumer.commitAsync(offsets(TRACKED, 4), null);
		this.consumer.commitSync();
		ConsumerRecords<String, String> records = this.consumer.poll(Duration.ofSeconds(7));

		assertThat(records.isEmpty()).isTrue();
		assertThat(this.calls.named("commit", "poll")).extracting(Call::toString)
			.containsExactly("commitSync(Map)[{orders-0=3}]",
					"commitAsync(Map,OffsetCommitCallback)[{orders-0=4}, null]", "commitSync()[]",
					"poll(Duration)[PT7S]");
		assertThat(committed(TRACKED)).isEqualTo(5);
	}

	@Test
	void pollShouldCommitTrackedPartitionsUpToTheirCommitPointAndPastItOnceTheRecordCompletes() {
		CompletableFuture<Void> held = trackOffsetsZeroToFourHoldingTwo();

		await().atMost(TIMEOUT).pollInSameThread().until(() -> {
			this.consumer.poll(Duration.ofMillis(5));
			return Long.valueOf(COMMIT_POINT).equals(committed(TRACKED));
		});
		assertThat(this.calls.commitsOf(TRACKED)).as("commits of the tracked partition while record 2 is held")
			.isNotEmpty()
			.allSatisfy((offset) -> assertThat(offset).isEqualTo(COMMIT_POINT));
		assertThat(this.calls.commits())
			.allSatisfy((commit) -> assertThat(commit.method().getName()).as("progress is committed asynchronously")
				.isEqualTo("commitAsync"));

		held.complete(null);
		await().atMost(TIMEOUT).pollInSameThread().until(() -> {
			this.consumer.poll(Duration.ofMillis(5));
			return Long.valueOf(5).equals(committed(TRACKED));
		});
		assertThat(this.calls.commitsOf(TRACKED)).containsExactly(COMMIT_POINT, 5L);
		assertThat(committed(UNTRACKED)).as("the untracked partition is not the starter's to commit").isNull();
	}

	@Test
	void longPollShouldBeCutIntoSlicesOfTheCommitIntervalAndCommitCompletionsWhileItWaits() {
		CompletableFuture<Void> held = trackOffsetsZeroToFourHoldingTwo();
		// during the first slice, record 2 completes; a record arrives only once its
		// completion has been committed, from within the same long poll
		this.mock.schedulePollTask(() -> held.complete(null));
		this.mock.schedulePollTask(new Runnable() {

			@Override
			public void run() {
				if (Long.valueOf(5).equals(committed(TRACKED))) {
					CommittingConsumerTests.this.mock
						.addRecord(new ConsumerRecord<>(UNTRACKED.topic(), UNTRACKED.partition(), 0, "key", "late"));
				}
				else {
					CommittingConsumerTests.this.mock.schedulePollTask(this);
				}
			}

		});

		long start = System.nanoTime();
		ConsumerRecords<String, String> records = this.consumer.poll(TIMEOUT);

		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT);
		assertThat(records.count()).isOne();
		assertThat(committed(TRACKED)).isEqualTo(5);
		List<Call> polls = this.calls.named("poll");
		assertThat(polls).as("slices of the poll")
			.hasSizeGreaterThan(1)
			.allSatisfy((poll) -> assertThat((Duration) poll.args().get(0)).isPositive().isLessThanOrEqualTo(INTERVAL));
	}

	static Stream<Arguments> closes() {
		return Stream.of(Arguments.of("close()", (CommitCall) Consumer::close),
				Arguments.of("close(Duration)", (CommitCall) (consumer) -> consumer.close(Duration.ofSeconds(1))),
				Arguments.of("close(CloseOptions)",
						(CommitCall) (consumer) -> consumer.close(CloseOptions.timeout(Duration.ofSeconds(1)))));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("closes")
	void closeShouldStopTheDispatcherCountingOnTheConsumerAndCloseIt(String name, CommitCall close) {
		this.consumer.poll(Duration.ofMillis(1));
		assertThat(this.dispatcher.committing()).as("committing after the first poll").isTrue();

		close.call(this.consumer);

		assertThat(this.dispatcher.committing()).as("committing after close").isFalse();
		assertThat(this.mock.closed()).isTrue();
		assertThat(this.calls.named("close")).extracting((call) -> signature(call.method())).containsExactly(name);
	}

	@Test
	void objectMethodsShouldBeAnsweredByTheProxyItself() {
		Consumer<String, String> other = CommittingConsumer.wrap(this.mock, this.dispatcher);
		assertThat(this.consumer).isEqualTo(this.consumer).isNotEqualTo(other).isNotEqualTo(this.mock);
		assertThat(this.consumer.hashCode()).isEqualTo(System.identityHashCode(this.consumer));
		assertThat(this.consumer.toString()).startsWith("Consumer committing the progress of event loops over ");
		assertThat(CommittingConsumer.of(this.consumer)).isNotNull();
		assertThat(CommittingConsumer.of(this.mock)).isNull();
	}

	@Test
	void commitRevokedShouldCommitTheCommitPointSynchronously() {
		trackOffsetsZeroToFourHoldingTwo();
		CommittingConsumer committing = CommittingConsumer.of(this.consumer);

		committing.commitRevoked(List.of(TRACKED, UNTRACKED), Duration.ofSeconds(3));

		assertThat(this.calls.commits()).singleElement().satisfies((commit) -> {
			assertThat(signature(commit.method())).isEqualTo("commitSync(Map,Duration)");
			assertThat(describe((Map<?, ?>) commit.args().get(0))).isEqualTo("{orders-0=2}");
			assertThat((Duration) commit.args().get(1)).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(3));
		});
		assertThat(committed(TRACKED)).isEqualTo(COMMIT_POINT);
	}

	@Test
	void otherMethodsShouldReachTheConsumerAndReturnItsAnswers() {
		trackOffsetsZeroToFourHoldingTwo();
		this.mock.seek(UNTRACKED, 9);
		this.consumer.pause(List.of(UNTRACKED));

		assertThat(this.consumer.position(UNTRACKED)).isEqualTo(9);
		assertThat(this.consumer.assignment()).containsExactlyInAnyOrder(TRACKED, UNTRACKED);
		assertThat(this.consumer.paused()).containsExactly(UNTRACKED);
		assertThat(this.mock.paused()).containsExactly(UNTRACKED);
		assertThat(this.calls.calls).extracting(Call::toString)
			.containsExactly("pause(Collection)[[orders-1]]", "position(TopicPartition)[orders-1]", "assignment()[]",
					"paused()[]");
	}

	static Stream<Method> unintercepted() {
		return Arrays.stream(Consumer.class.getMethods())
			.filter((method) -> !INTERCEPTED.containsKey(signature(method)))
			.sorted((a, b) -> signature(a).compareTo(signature(b)));
	}

	/**
	 * Every method the handler does not intercept reaches the consumer once, with the
	 * same arguments, and returns the consumer's answer, even while records are tracked.
	 */
	@ParameterizedTest(name = "{0}")
	@MethodSource("unintercepted")
	void everyOtherMethodShouldPassStraightThrough(Method method) throws Throwable {
		Consumer<String, String> stubbed = CommittingConsumer.wrap(this.calls.stub(), this.dispatcher);
		trackOffsetsZeroToFourHoldingTwo();
		Object[] args = Arrays.stream(method.getParameterTypes()).map(CommittingConsumerTests::argument).toArray();

		Object result = invoke(stubbed, method, args);

		assertThat(this.calls.calls).singleElement().satisfies((call) -> {
			assertThat(call.method()).isEqualTo(method);
			assertThat(call.args()).hasSameSizeAs(args);
			for (int i = 0; i < args.length; i++) {
				assertThat(call.args().get(i)).isSameAs(args[i]);
			}
			if (method.getReturnType().isPrimitive()) {
				assertThat(result).isEqualTo(call.result());
			}
			else {
				assertThat(result).isSameAs(call.result());
			}
		});
	}

	/**
	 * Hand offsets 0 to 4 of {@link #TRACKED} to the loop; all complete but 2, whose
	 * future is returned.
	 */
	private CompletableFuture<Void> trackOffsetsZeroToFourHoldingTwo() {
		CompletableFuture<Void> held = new CompletableFuture<>();
		for (long offset = 0; offset < 5; offset++) {
			CompletableFuture<Void> result = (offset == 2) ? held : CompletableFuture.completedFuture(null);
			this.dispatcher.dispatch(new ConsumerRecord<>(TRACKED.topic(), TRACKED.partition(), offset, "key", "value"),
					this.loop, "key", RecordOrdering.UNORDERED, () -> result);
		}
		PartitionTracker tracker = this.dispatcher.tracker(GROUP, TRACKED);
		assertThat(tracker).isNotNull();
		await().atMost(TIMEOUT).until(() -> tracker.inFlight() == 1);
		assertThat(tracker.commitPoint()).isEqualTo(COMMIT_POINT);
		this.calls.calls.clear();
		return held;
	}

	private @Nullable Long committed(TopicPartition partition) {
		OffsetAndMetadata offset = this.mock.committed(Set.of(partition)).get(partition);
		return (offset != null) ? offset.offset() : null;
	}

	private static Map<TopicPartition, OffsetAndMetadata> offsets(TopicPartition partition, long offset) {
		return Map.of(partition, new OffsetAndMetadata(offset));
	}

	private static Map<TopicPartition, OffsetAndMetadata> offsets(TopicPartition first, long firstOffset,
			TopicPartition second, long secondOffset) {
		return Map.of(first, new OffsetAndMetadata(firstOffset), second, new OffsetAndMetadata(secondOffset));
	}

	private static String describe(Map<?, ?> offsets) {
		return offsets.entrySet()
			.stream()
			.map((entry) -> entry.getKey() + "="
					+ ((entry.getValue() instanceof OffsetAndMetadata offset) ? offset.offset() : entry.getValue()))
			.sorted()
			.collect(Collectors.joining(", ", "{", "}"));
	}

	/**
	 * Whether the method commits offsets: its name starts with {@code commit}, as every
	 * commit of the consumer's does, and it is not {@code committed}, which reads them.
	 */
	static boolean commitLike(Method method) {
		return method.getName().startsWith("commit") && !method.getName().startsWith("committed");
	}

	static String signature(Method method) {
		return method.getName() + Arrays.stream(method.getParameterTypes())
			.map(Class::getSimpleName)
			.collect(Collectors.joining(",", "(", ")"));
	}

	/**
	 * A distinct argument of the type, or {@code null} where any will do.
	 */
	private static @Nullable Object argument(Class<?> type) {
		if (type == long.class) {
			return 7L;
		}
		if (type == Duration.class) {
			return Duration.ofMillis(1234);
		}
		if (type == TopicPartition.class) {
			return new TopicPartition("orders", 3);
		}
		if (type == String.class) {
			return "orders";
		}
		if (type == Set.class) {
			return Set.of(new TopicPartition("orders", 3));
		}
		if (type == OffsetCommitCallback.class) {
			return (OffsetCommitCallback) (offsets, failure) -> {
			};
		}
		return null;
	}

	private static @Nullable Object invoke(Consumer<?, ?> consumer, Method method, Object[] args) throws Throwable {
		try {
			return method.invoke(consumer, args);
		}
		catch (InvocationTargetException ex) {
			throw ex.getTargetException();
		}
	}

	@FunctionalInterface
	interface CommitCall {

		void call(Consumer<String, String> consumer);

	}

	record Call(Method method, List<@Nullable Object> args, @Nullable Object result) {

		@Override
		public String toString() {
			return signature(this.method) + this.args.stream()
				.map((arg) -> (arg instanceof Map<?, ?> map) ? describe(map) : String.valueOf(arg))
				.collect(Collectors.joining(", ", "[", "]"));
		}

	}

	/**
	 * Records the calls that reach the consumer beneath the {@link CommittingConsumer}.
	 */
	static final class Calls {

		final List<Call> calls = new CopyOnWriteArrayList<>();

		/**
		 * A consumer that records each call and passes it to the target.
		 */
		@SuppressWarnings("unchecked")
		<K, V> Consumer<K, V> spy(Consumer<K, V> target) {
			return (Consumer<K, V>) Proxy.newProxyInstance(getClass().getClassLoader(),
					new Class<?>[] { Consumer.class }, (proxy, method, args) -> {
						if (method.getDeclaringClass() == Object.class) {
							return objectMethod(proxy, method, args);
						}
						Object result;
						try {
							result = method.invoke(target, args);
						}
						catch (InvocationTargetException ex) {
							throw ex.getTargetException();
						}
						record(method, args, result);
						return result;
					});
		}

		/**
		 * A consumer that records each call and answers it by itself: of group
		 * {@link #GROUP}, assigned both partitions, each at position 100.
		 */
		@SuppressWarnings("unchecked")
		<K, V> Consumer<K, V> stub() {
			return (Consumer<K, V>) Proxy.newProxyInstance(getClass().getClassLoader(),
					new Class<?>[] { Consumer.class }, (proxy, method, args) -> {
						if (method.getDeclaringClass() == Object.class) {
							return objectMethod(proxy, method, args);
						}
						Object result = answer(method);
						record(method, args, result);
						return result;
					});
		}

		private static @Nullable Object answer(Method method) {
			Class<?> type = method.getReturnType();
			return switch (method.getName()) {
				case "groupMetadata" -> new ConsumerGroupMetadata(GROUP);
				case "assignment" -> Set.of(TRACKED, UNTRACKED);
				case "position" -> 100L;
				default -> {
					if (type == long.class) {
						yield 42L;
					}
					if (type == boolean.class) {
						yield true;
					}
					if (type == Set.class) {
						yield Set.of(new TopicPartition("answer", 0));
					}
					if (type == Map.class) {
						yield new HashMap<>();
					}
					if (type == List.class) {
						yield new ArrayList<>();
					}
					yield null;
				}
			};
		}

		private static Object objectMethod(Object proxy, Method method, @Nullable Object[] args) {
			return switch (method.getName()) {
				case "equals" -> proxy == args[0];
				case "hashCode" -> System.identityHashCode(proxy);
				default -> "recording consumer";
			};
		}

		private void record(Method method, @Nullable Object[] args, @Nullable Object result) {
			this.calls.add(new Call(method,
					(args != null) ? Collections.unmodifiableList(Arrays.asList(args)) : List.of(), result));
		}

		List<Call> named(String... prefixes) {
			return this.calls.stream()
				.filter((call) -> Arrays.stream(prefixes).anyMatch(call.method().getName()::startsWith))
				.toList();
		}

		List<Call> commits() {
			return this.calls.stream().filter((call) -> commitLike(call.method())).toList();
		}

		List<Long> commitsOf(TopicPartition partition) {
			List<Long> offsets = new ArrayList<>();
			for (Call commit : commits()) {
				if (!commit.args().isEmpty() && commit.args().get(0) instanceof Map<?, ?> map
						&& map.get(partition) instanceof OffsetAndMetadata offset) {
					offsets.add(offset.offset());
				}
			}
			return offsets;
		}

	}

}
