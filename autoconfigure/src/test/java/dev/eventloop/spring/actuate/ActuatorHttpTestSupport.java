package dev.eventloop.spring.actuate;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.eventloop.EventLoopRegistry;
import org.junit.jupiter.api.AfterEach;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Real HTTP calls to a running test application, and a way to stall one of its loops.
 */
abstract class ActuatorHttpTestSupport {

	static final JsonMapper json = JsonMapper.builder().build();

	private final HttpClient http = HttpClient.newHttpClient();

	/** Released after each test, so that a loop stalled by the test moves on. */
	final CountDownLatch release = new CountDownLatch(1);

	@LocalServerPort
	private int port;

	@Autowired
	EventLoopRegistry registry;

	@AfterEach
	void releaseBlockedLoops() {
		this.release.countDown();
	}

	HttpResponse<String> get(String path) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.timeout(Duration.ofSeconds(60))
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.ofString());
	}

	JsonNode getJson(String path) throws IOException, InterruptedException {
		return json.readTree(get(path).body());
	}

	/**
	 * Stall the named loop: its current task waits for {@link #release}. The method name
	 * is what a stack trace of the stalled loop must show.
	 */
	void stall(String loopName) {
		this.registry.loop(loopName).orElseThrow().execute(() -> blockingCallForTest(this.release));
	}

	static void blockingCallForTest(CountDownLatch release) {
		try {
			release.await(60, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class TestApplication {

	}

}
