package dev.eventloop.sample.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.eventloop.spring.OnEventLoop;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * Kafka throughput with CPU-bound records: how many records per second a consumer group
 * of one application gets through when each record takes {@code --work-micros} (50) of
 * CPU, over {@code --keys} (1 000) keys. Records are produced once into a topic of one
 * partition and a topic of four; each run then consumes one topic from the start with a
 * new consumer group, in a new application context, and is timed from its first record to
 * its last. Compared, per topic: Spring Kafka's container alone (a plain listener,
 * {@code concurrency} equal to the partition count, the partition-level ceiling) and the
 * same work on key-affine loops ({@code @OnEventLoop(key = "#record.key()")} returning a
 * future, through the starter's Kafka dispatch) with 2 and 4 loop threads. Each run is
 * repeated {@code --repeats} (3) times; the table shows the median. {@code --modes}
 * ({@code container,loops}) and {@code --partitions} ({@code 1,4}) choose what runs.
 */
final class KafkaThroughputBenchmark {

	private static final String ONE_PARTITION = "bench-p1";

	private static final String FOUR_PARTITIONS = "bench-p4";

	private KafkaThroughputBenchmark() {
	}

	static void main(String[] args) throws Exception {
		Map<String, String> options = options(args);
		int records = Integer.parseInt(options.getOrDefault("records", "100000"));
		int keys = Integer.parseInt(options.getOrDefault("keys", "1000"));
		int workMicros = Integer.parseInt(options.getOrDefault("work-micros", "50"));
		int repeats = Integer.parseInt(options.getOrDefault("repeats", "3"));
		String modes = options.getOrDefault("modes", "container,loops");
		List<String> partitionCounts = List.of(options.getOrDefault("partitions", "1,4").split(","));
		List<String> passed = Arrays.stream(args)
			.filter((arg) -> arg.startsWith("--spring.") || arg.startsWith("--eventloop.")
					|| arg.startsWith("--logging.") || arg.startsWith("--bench."))
			.toList();
		((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);

		EmbeddedKafkaBroker broker = new EmbeddedKafkaKraftBroker(1, 1, ONE_PARTITION);
		broker.afterPropertiesSet();
		try {
			broker.addTopics(new NewTopic(FOUR_PARTITIONS, 4, (short) 1));
			produce(broker, ONE_PARTITION, records, keys);
			produce(broker, FOUR_PARTITIONS, records, keys);
			System.out.printf(Locale.ROOT,
					"Kafka throughput: %d records, %d keys, %d us of CPU per record, %d cores, median of %d runs%n%n",
					records, keys, workMicros, Runtime.getRuntime().availableProcessors(), repeats);
			System.out.printf(Locale.ROOT, "| partitions | consumer | records/s | runs | vs container |%n");
			System.out.printf(Locale.ROOT, "| --- | --- | ---: | --- | ---: |%n");
			int run = 0;
			for (String topic : List.of(ONE_PARTITION, FOUR_PARTITIONS)) {
				int partitions = topic.equals(ONE_PARTITION) ? 1 : 4;
				if (!partitionCounts.contains(Integer.toString(partitions))) {
					continue;
				}
				double baseline = 0;
				for (Mode mode : List.of(new Mode("container, concurrency " + partitions, false, partitions),
						new Mode("loops, 2 threads", true, 2), new Mode("loops, 4 threads", true, 4))) {
					if (!modes.contains(mode.loops() ? "loops" : "container")) {
						continue;
					}
					List<Double> rates = new ArrayList<>();
					for (int i = 0; i < repeats; i++) {
						rates.add(measure(broker, topic, mode, records, workMicros, "bench-" + (run++), passed));
					}
					double median = median(rates);
					if (!mode.loops()) {
						baseline = median;
					}
					System.out.printf(Locale.ROOT, "| %d | %s | %,.0f | %s | %s |%n", partitions, mode.name(), median,
							rates.stream().map((rate) -> String.format(Locale.ROOT, "%,.0f", rate)).toList(),
							(baseline > 0) ? String.format(Locale.ROOT, "%.2f", median / baseline) : "-");
				}
			}
		}
		finally {
			broker.destroy();
		}
	}

	private static double measure(EmbeddedKafkaBroker broker, String topic, Mode mode, int records, int workMicros,
			String group, List<String> passed) throws InterruptedException {
		Class<?> configuration = mode.loops() ? LoopsConsumer.class : ContainerConsumer.class;
		List<String> arguments = new ArrayList<>(
				List.of("--spring.kafka.bootstrap-servers=" + broker.getBrokersAsString(),
						"--spring.kafka.consumer.auto-offset-reset=earliest", "--logging.level.root=WARN",
						"--bench.topic=" + topic, "--bench.group=" + group,
						"--bench.concurrency=" + (mode.loops() ? 1 : mode.threads()), "--bench.records=" + records,
						"--bench.work-micros=" + workMicros, "--eventloop.loops.bench.threads=" + mode.threads()));
		arguments.addAll(passed);
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(configuration)
			.web(WebApplicationType.NONE)
			.run(arguments.toArray(String[]::new))) {
			Progress progress = context.getBean(Progress.class);
			if (!progress.await(Duration.ofMinutes(5))) {
				throw new IllegalStateException("Run " + group + " (" + mode.name() + ") consumed only "
						+ progress.count.get() + " of " + records + " records in 5 minutes");
			}
			return records / progress.seconds();
		}
	}

	static void produce(EmbeddedKafkaBroker broker, String topic, int records, int keys) {
		Map<String, Object> properties = new HashMap<>();
		properties.put("bootstrap.servers", broker.getBrokersAsString());
		properties.put("key.serializer", StringSerializer.class);
		properties.put("value.serializer", StringSerializer.class);
		properties.put("linger.ms", 20);
		properties.put("batch.size", 256 * 1024);
		try (KafkaProducer<String, String> producer = new KafkaProducer<>(properties)) {
			for (int i = 0; i < records; i++) {
				producer.send(new ProducerRecord<>(topic, "key-" + (i % keys), Integer.toString(i)));
			}
			producer.flush();
		}
	}

	static double median(List<Double> values) {
		List<Double> sorted = new ArrayList<>(values);
		sorted.sort(null);
		int middle = sorted.size() / 2;
		return (sorted.size() % 2 == 1) ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
	}

	static Map<String, String> options(String[] args) {
		Map<String, String> options = new HashMap<>();
		for (String arg : args) {
			if (arg.startsWith("--") && arg.contains("=")) {
				options.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
			}
		}
		return options;
	}

	static void work(long micros) {
		long end = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(micros);
		while (System.nanoTime() - end < 0) {
			Thread.onSpinWait();
		}
	}

	private record Mode(String name, boolean loops, int threads) {
	}

	/**
	 * Records consumed so far, and when the first and last were.
	 */
	static final class Progress {

		private final int records;

		private final AtomicInteger count = new AtomicInteger();

		private final AtomicLong first = new AtomicLong();

		private volatile long last;

		private final CountDownLatch done = new CountDownLatch(1);

		Progress(int records) {
			this.records = records;
		}

		boolean await(Duration timeout) throws InterruptedException {
			return this.done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
		}

		/**
		 * Seconds from the first record consumed to the last.
		 */
		double seconds() {
			return (this.last - this.first.get()) / 1e9;
		}

		void consumed() {
			long now = System.nanoTime();
			this.first.compareAndSet(0, now);
			if (this.count.incrementAndGet() == this.records) {
				this.last = now;
				this.done.countDown();
			}
		}

	}

	/**
	 * What both consumers share: Boot's auto-configuration and the count of records
	 * consumed. Not a {@code @Configuration}, so that the sample's component scan leaves
	 * these classes alone.
	 */
	@EnableAutoConfiguration
	static class Measured {

		@Bean
		Progress progress(@Value("${bench.records}") int records) {
			return new Progress(records);
		}

	}

	/**
	 * The container alone: the listener runs on the consumer thread.
	 */
	@Import(Measured.class)
	static class ContainerConsumer {

		@Bean
		ContainerListener listener(Progress progress, @Value("${bench.work-micros}") int workMicros) {
			return new ContainerListener(progress, workMicros);
		}

	}

	/**
	 * The same work on key-affine loops.
	 */
	@Import(Measured.class)
	static class LoopsConsumer {

		@Bean
		LoopsListener listener(Progress progress, @Value("${bench.work-micros}") int workMicros) {
			return new LoopsListener(progress, workMicros);
		}

	}

	public static class ContainerListener {

		private final Progress progress;

		private final int workMicros;

		ContainerListener(Progress progress, int workMicros) {
			this.progress = progress;
			this.workMicros = workMicros;
		}

		@KafkaListener(topics = "${bench.topic}", groupId = "${bench.group}", concurrency = "${bench.concurrency}")
		public void consume(ConsumerRecord<String, String> record) {
			work(this.workMicros);
			this.progress.consumed();
		}

	}

	public static class LoopsListener {

		private final Progress progress;

		private final int workMicros;

		LoopsListener(Progress progress, int workMicros) {
			this.progress = progress;
			this.workMicros = workMicros;
		}

		@KafkaListener(topics = "${bench.topic}", groupId = "${bench.group}", concurrency = "${bench.concurrency}")
		@OnEventLoop(value = "bench", key = "#record.key()")
		public CompletableFuture<Void> consume(ConsumerRecord<String, String> record) {
			work(this.workMicros);
			this.progress.consumed();
			return CompletableFuture.completedFuture(null);
		}

	}

}
