package dev.eventloop.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample's Kubernetes probes over real HTTP, with its {@code application.yml} (probes
 * enabled, {@code eventLoops} in the readiness group only): readiness answers 503 while a
 * loop is stalled, blocked or lagging and 200 again once it recovers, while liveness
 * answers 200 throughout. The ledger loops get a short stall threshold here; the
 * settlement loop a short lag threshold and a stall threshold long enough not to be
 * reached, so that it lags without stalling.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "eventloop.loops.ledger.stall-threshold=300ms", "eventloop.loops.settlement.stall-threshold=10m",
				"eventloop.loops.settlement.lag-threshold=100ms" })
class ReadinessProbeTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

	@LocalServerPort
	private int port;

	@Autowired
	private EventLoopRegistry loops;

	@Autowired
	private JsonMapper json;

	@BeforeEach
	void probesStartUp() {
		await().atMost(TIMEOUT).untilAsserted(() -> {
			assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(200);
			assertThat(get("/actuator/health/liveness").statusCode()).isEqualTo(200);
		});
	}

	@Test
	void readinessShouldFailWhileATaskBlocksALoopAndRecoverWhileLivenessStaysUp() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch blocking = new CountDownLatch(1);
		EventLoop loop = this.loops.loop("ledger-1").orElseThrow();
		loop.execute(() -> {
			blocking.countDown();
			awaitQuietly(release); // keeps the loop thread waiting: reported as blocked
		});
		expectNotReadyThenReady(loop, blocking, release, "blocked");
	}

	@Test
	void readinessShouldFailWhileATaskRunsPastTheStallThresholdAndRecoverWhileLivenessStaysUp() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch running = new CountDownLatch(1);
		EventLoop loop = this.loops.loop("ledger-2").orElseThrow();
		loop.execute(() -> {
			running.countDown();
			spinUntil(release); // runnable, not waiting: stalled once past the 300ms
								// threshold
		});
		expectNotReadyThenReady(loop, running, release, "stalled");
	}

	@Test
	void readinessShouldFailWhileALoopLagsAndRecoverWhileLivenessStaysUp() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch running = new CountDownLatch(1);
		EventLoop loop = this.loops.loop("settlement").orElseThrow();
		loop.execute(() -> {
			running.countDown();
			spinUntil(release); // holds the lag probe past the 100ms lag threshold
		});
		expectNotReadyThenReady(loop, running, release, "lagging");
	}

	private void expectNotReadyThenReady(EventLoop loop, CountDownLatch started, CountDownLatch release, String reason)
			throws Exception {
		try {
			assertThat(started.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
			await().atMost(TIMEOUT).untilAsserted(() -> {
				HttpResponse<String> readiness = get("/actuator/health/readiness");
				assertThat(readiness.statusCode()).isEqualTo(503);
				JsonNode loops = this.json.readTree(readiness.body()).path("components").path("eventLoops");
				assertThat(loops.path("status").asString()).isEqualTo("DOWN");
				assertThat(loops.path("components").path(loop.name()).path("status").asString()).isEqualTo("DOWN");
				assertThat(loops.path("components").path(loop.name()).path("details").path("reason").asString())
					.isEqualTo(reason);
			});
			HttpResponse<String> liveness = get("/actuator/health/liveness");
			assertThat(liveness.statusCode()).isEqualTo(200);
			JsonNode livenessBody = this.json.readTree(liveness.body());
			assertThat(livenessBody.path("status").asString()).isEqualTo("UP");
			assertThat(livenessBody.path("components").has("eventLoops")).isFalse();
		}
		finally {
			release.countDown();
		}
		await().atMost(TIMEOUT).untilAsserted(() -> {
			HttpResponse<String> readiness = get("/actuator/health/readiness");
			assertThat(readiness.statusCode()).isEqualTo(200);
			assertThat(this.json.readTree(readiness.body())
				.path("components")
				.path("eventLoops")
				.path("status")
				.asString()).isEqualTo("UP");
		});
		assertThat(get("/actuator/health/liveness").statusCode()).isEqualTo(200);
	}

	private HttpResponse<String> get(String path) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(TIMEOUT)
			.GET()
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.ofString());
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static void spinUntil(CountDownLatch latch) {
		while (latch.getCount() > 0) {
			Thread.onSpinWait();
		}
	}

}
