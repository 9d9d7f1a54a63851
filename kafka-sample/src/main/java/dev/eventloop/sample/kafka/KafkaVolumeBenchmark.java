package dev.eventloop.sample.kafka;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.sun.management.OperatingSystemMXBean;
import dev.eventloop.EventLoop;
import dev.eventloop.spring.OnEventLoop;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.LoggerFactory;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The parallel consumer's published volume test, on event loops: {@code --records} (10
 * 000) records on one partition, each waiting a uniformly random 0 to
 * {@code --max-delay-micros} (5 000) of asynchronous work, in key order over
 * {@code --keys} (1, 10, 100, 10 000) keys. Measured per key count: the starter's Kafka
 * dispatch with key ordering on two loop threads (the listener returns a future that a
 * loop timer completes after the record's delay), and, as the in-run peer, Spring Kafka's
 * own {@code concurrency=1} listener doing the same wait blocking (its time does not
 * depend on the keys, so it runs once per repeat). The delays are drawn once, from a
 * fixed seed, so every run waits the same in total: that sum is the sequential floor.
 * Each run consumes the topic from the start with a new consumer group in a new
 * application context and is timed from its first completed record to its last; the table
 * shows the median of {@code --repeats} (3) runs and the process CPU per record (the
 * embedded broker's included).
 */
final class KafkaVolumeBenchmark {

	private static final double[] PUBLISHED_SECONDS = { 26.7, 3.31, 2.18, 2.13 };

	private static final List<Integer> PUBLISHED_KEYS = List.of(1, 10, 100, 10_000);

	private KafkaVolumeBenchmark() {
	}

	static void main(String[] args) throws Exception {
		Map<String, String> options = KafkaThroughputBenchmark.options(args);
		int records = Integer.parseInt(options.getOrDefault("records", "10000"));
		int maxDelayMicros = Integer.parseInt(options.getOrDefault("max-delay-micros", "5000"));
		int repeats = Integer.parseInt(options.getOrDefault("repeats", "3"));
		List<Integer> keyCounts = Arrays.stream(options.getOrDefault("keys", "1,10,100,10000").split(","))
			.map(Integer::valueOf)
			.toList();
		boolean peer = !options.getOrDefault("peer", "true").equals("false");
		List<String> passed = Arrays.stream(args)
			.filter((arg) -> arg.startsWith("--spring.") || arg.startsWith("--eventloop."))
			.toList();
		((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);

		long[] delays = new long[records];
		SplittableRandom random = new SplittableRandom(2_113);
		long floorMicros = 0;
		for (int i = 0; i < records; i++) {
			delays[i] = random.nextLong(maxDelayMicros + 1);
			floorMicros += delays[i];
		}
		double floor = floorMicros / 1e6;
		EmbeddedKafkaBroker broker = new EmbeddedKafkaKraftBroker(1, 1);
		broker.afterPropertiesSet();
		try {
			for (int keys : keyCounts) {
				broker.addTopics(new NewTopic(topic(keys), 1, (short) 1));
				KafkaThroughputBenchmark.produce(broker, topic(keys), records, keys);
			}
			System.out.printf(Locale.ROOT,
					"Kafka volume: %d records on one partition, 0-%d us of asynchronous work each, sequential floor"
							+ " %.2f s, %d cores, median of %d runs%n%n",
					records, maxDelayMicros, floor, Runtime.getRuntime().availableProcessors(), repeats);
			System.out.printf(Locale.ROOT,
					"| keys | consumer | seconds | runs | vs floor | CPU us/record | out of order | published |%n");
			System.out.printf(Locale.ROOT, "| ---: | --- | ---: | --- | ---: | ---: | ---: | ---: |%n");
			int run = 0;
			if (peer) {
				List<Result> results = new ArrayList<>();
				for (int i = 0; i < repeats; i++) {
					results.add(measure(broker, ContainerConsumer.class, topic(keyCounts.get(0)), delays,
							"volume-" + (run++), passed));
				}
				print("any", "Spring Kafka, concurrency 1, blocking", results, floor, "-");
			}
			for (int keys : keyCounts) {
				List<Result> results = new ArrayList<>();
				for (int i = 0; i < repeats; i++) {
					results.add(measure(broker, LoopsConsumer.class, topic(keys), delays, "volume-" + (run++), passed));
				}
				int published = PUBLISHED_KEYS.indexOf(keys);
				print(String.format(Locale.ROOT, "%,d", keys), "loops, 2 threads, key ordering", results, floor,
						(published >= 0) ? String.format(Locale.ROOT, "%.2f", PUBLISHED_SECONDS[published]) : "-");
			}
		}
		finally {
			broker.destroy();
		}
	}

	private static String topic(int keys) {
		return "volume-k" + keys;
	}

	private static void print(String keys, String consumer, List<Result> results, double floor, String published) {
		double seconds = KafkaThroughputBenchmark.median(results.stream().map(Result::seconds).toList());
		double cpu = KafkaThroughputBenchmark.median(results.stream().map(Result::cpuMicrosPerRecord).toList());
		int outOfOrder = results.stream().mapToInt(Result::outOfOrder).max().orElse(0);
		System.out.printf(Locale.ROOT, "| %s | %s | %.2f | %s | %.2f | %.0f | %d | %s |%n", keys, consumer, seconds,
				results.stream().map((result) -> String.format(Locale.ROOT, "%.2f", result.seconds())).toList(),
				seconds / floor, cpu, outOfOrder, published);
	}

	private static Result measure(EmbeddedKafkaBroker broker, Class<?> configuration, String topic, long[] delays,
			String group, List<String> passed) throws InterruptedException {
		List<String> arguments = new ArrayList<>(
				List.of("--spring.kafka.bootstrap-servers=" + broker.getBrokersAsString(),
						"--spring.kafka.consumer.auto-offset-reset=earliest", "--logging.level.root=WARN",
						"--bench.topic=" + topic, "--bench.group=" + group, "--bench.concurrency=1",
						"--bench.records=" + delays.length, "--eventloop.loops.bench.threads=2"));
		arguments.addAll(passed);
		OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(configuration)
			.web(WebApplicationType.NONE)
			.initializers((created) -> created.getBeanFactory().registerSingleton("delays", new Delays(delays)))
			.run(arguments.toArray(String[]::new))) {
			long cpuBefore = os.getProcessCpuTime();
			KafkaThroughputBenchmark.Progress progress = context.getBean(KafkaThroughputBenchmark.Progress.class);
			if (!progress.await(Duration.ofMinutes(5))) {
				throw new IllegalStateException("Run " + group + " did not consume its records in 5 minutes");
			}
			long cpu = os.getProcessCpuTime() - cpuBefore;
			Delays used = context.getBean(Delays.class);
			return new Result(progress.seconds(), cpu / 1e3 / delays.length, used.outOfOrder.get());
		}
	}

	private record Result(double seconds, double cpuMicrosPerRecord, int outOfOrder) {
	}

	/**
	 * The delay of every record, by its index (the record's value), and a check of key
	 * order: a record whose index is below the last one completed for its key.
	 */
	static final class Delays {

		private final long[] micros;

		private final Map<String, Integer> lastByKey = new ConcurrentHashMap<>();

		private final AtomicInteger outOfOrder = new AtomicInteger();

		Delays(long[] micros) {
			this.micros = micros;
		}

		long micros(ConsumerRecord<String, String> record) {
			return this.micros[Integer.parseInt(record.value())];
		}

		void completed(ConsumerRecord<String, String> record) {
			int index = Integer.parseInt(record.value());
			Integer previous = this.lastByKey.put(record.key(), index);
			if (previous != null && previous > index) {
				this.outOfOrder.incrementAndGet();
			}
		}

	}

	/**
	 * Spring Kafka's container alone: the listener waits on the consumer thread.
	 */
	@Import(KafkaThroughputBenchmark.Measured.class)
	static class ContainerConsumer {

		@Bean
		BlockingListener listener(KafkaThroughputBenchmark.Progress progress, Delays delays) {
			return new BlockingListener(progress, delays);
		}

	}

	/**
	 * The same wait on loops, asynchronously, key by key.
	 */
	@Import(KafkaThroughputBenchmark.Measured.class)
	static class LoopsConsumer {

		@Bean
		AsyncListener listener(KafkaThroughputBenchmark.Progress progress, Delays delays) {
			return new AsyncListener(progress, delays);
		}

	}

	public static class BlockingListener {

		private final KafkaThroughputBenchmark.Progress progress;

		private final Delays delays;

		BlockingListener(KafkaThroughputBenchmark.Progress progress, Delays delays) {
			this.progress = progress;
			this.delays = delays;
		}

		@KafkaListener(topics = "${bench.topic}", groupId = "${bench.group}", concurrency = "${bench.concurrency}")
		public void consume(ConsumerRecord<String, String> record) {
			long micros = this.delays.micros(record);
			if (micros > 0) {
				LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(micros));
			}
			this.delays.completed(record);
			this.progress.consumed();
		}

	}

	public static class AsyncListener {

		private final KafkaThroughputBenchmark.Progress progress;

		private final Delays delays;

		AsyncListener(KafkaThroughputBenchmark.Progress progress, Delays delays) {
			this.progress = progress;
			this.delays = delays;
		}

		@KafkaListener(topics = "${bench.topic}", groupId = "${bench.group}", concurrency = "${bench.concurrency}")
		@OnEventLoop(value = "bench", key = "#record.key()")
		public CompletableFuture<Void> consume(ConsumerRecord<String, String> record) {
			long micros = this.delays.micros(record);
			CompletableFuture<Void> done = new CompletableFuture<>();
			Runnable complete = () -> {
				this.delays.completed(record);
				this.progress.consumed();
				done.complete(null);
			};
			if (micros == 0) {
				complete.run();
			}
			else {
				// stands for a call to another service that answers after the delay
				EventLoop.current().orElseThrow().schedule(complete, Duration.ofNanos(micros * 1_000));
			}
			return done;
		}

	}

}
