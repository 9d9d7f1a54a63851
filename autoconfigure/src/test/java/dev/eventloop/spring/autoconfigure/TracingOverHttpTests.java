package dev.eventloop.spring.autoconfigure;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import dev.eventloop.spring.OnEventLoop;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.integration.Slf4jThreadLocalAccessor;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Trace ids over real HTTP with Boot's Brave tracing: the request's trace id reaches
 * {@code @OnEventLoop} and {@code @Async} work on the loops, through the logging MDC that
 * tracing fills, and is gone again for the next task on the same loop; a
 * {@code @Scheduled} task on a loop runs in a trace of its own.
 */
@SpringBootTest(classes = TracingOverHttpTests.TracedApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.main.web-application-type=servlet", "management.tracing.sampling.probability=1.0",
				"eventloop.loops.pricing=", "eventloop.loops.ledger.threads=2" })
class TracingOverHttpTests {

	@LocalServerPort
	private int port;

	@Autowired
	private TracedService service;

	private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	@Test
	void traceIdOfTheRequestShouldReachLoopWorkAndNotLeakToTheNextTask() throws Exception {
		String first = get("/trace");
		String second = get("/trace");
		assertTraced(first);
		assertTraced(second);
		assertThat(first.split(" ")[0]).isNotEqualTo(second.split(" ")[0]);
	}

	@Test
	void scheduledTaskOnALoopShouldRunInATraceOfItsOwn() throws Exception {
		assertThat(this.service.scheduledRuns().await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(this.service.scheduledTraceIds()).isNotEmpty()
			.allMatch((id) -> id != null && id.matches("[0-9a-f]{16,32}"));
		assertThat(this.service.scheduledTraceIds().stream().distinct().count())
			.isEqualTo(this.service.scheduledTraceIds().size());
	}

	@Test
	void starterShouldRegisterNoMdcAccessorOfItsOwn() {
		assertThat(ContextRegistry.getInstance().getThreadLocalAccessors())
			.noneMatch((accessor) -> Slf4jThreadLocalAccessor.KEY.equals(accessor.key()));
	}

	private static void assertTraced(String body) {
		String[] parts = body.split(" ");
		assertThat(parts).hasSize(5);
		String traceId = parts[0];
		assertThat(traceId).matches("[0-9a-f]{16,32}");
		assertThat(parts[1]).as("@OnEventLoop on pricing").isEqualTo(traceId);
		assertThat(parts[2]).as("@Async on ledger").isEqualTo(traceId);
		assertThat(parts[3]).as("next task on pricing").isEqualTo("null");
		assertThat(parts[4]).as("next tasks on ledger").isEqualTo("null,null");
	}

	private String get(String path) throws Exception {
		HttpResponse<String> response = this.client
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
				.timeout(Duration.ofSeconds(10))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		return response.body();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@EnableAsync
	@EnableScheduling
	static class TracedApplication {

		@Bean
		TracedService tracedService() {
			return new TracedService();
		}

		@Bean
		TraceController traceController(TracedService service, @Qualifier("pricing") EventLoop pricing,
				@Qualifier("ledger") EventLoopGroup ledger) {
			return new TraceController(service, pricing, ledger);
		}

	}

	@RestController
	static class TraceController {

		private final TracedService service;

		private final EventLoop pricing;

		private final EventLoopGroup ledger;

		TraceController(TracedService service, EventLoop pricing, EventLoopGroup ledger) {
			this.service = service;
			this.pricing = pricing;
			this.ledger = ledger;
		}

		@GetMapping("/trace")
		String trace() throws Exception {
			String request = MDC.get("traceId");
			String onLoop = this.service.onPricing().get(10, TimeUnit.SECONDS);
			String async = this.service.onLedger().get(10, TimeUnit.SECONDS);
			// undecorated tasks straight on the loops: what the next task there sees
			String next = this.pricing.submit(TracedService::traceId).get(10, TimeUnit.SECONDS);
			List<String> nextOnLedger = new CopyOnWriteArrayList<>();
			for (EventLoop loop : this.ledger.loops()) {
				nextOnLedger.add(loop.submit(TracedService::traceId).get(10, TimeUnit.SECONDS));
			}
			return request + " " + onLoop + " " + async + " " + next + " " + String.join(",", nextOnLedger);
		}

	}

	static class TracedService {

		final CountDownLatch scheduledRuns = new CountDownLatch(3);

		final List<String> scheduledTraceIds = new CopyOnWriteArrayList<>();

		public CountDownLatch scheduledRuns() {
			return this.scheduledRuns;
		}

		public List<String> scheduledTraceIds() {
			return this.scheduledTraceIds;
		}

		static String traceId() {
			return String.valueOf(MDC.get("traceId"));
		}

		@OnEventLoop("pricing")
		public CompletableFuture<String> onPricing() {
			return CompletableFuture.completedFuture(traceId());
		}

		@Async("ledger")
		public CompletableFuture<String> onLedger() {
			return CompletableFuture.completedFuture(traceId());
		}

		@Scheduled(fixedDelay = 20, scheduler = "pricing")
		public void tick() {
			if (EventLoop.current().isPresent() && this.scheduledRuns.getCount() > 0) {
				this.scheduledTraceIds.add(MDC.get("traceId"));
				this.scheduledRuns.countDown();
			}
		}

	}

}
