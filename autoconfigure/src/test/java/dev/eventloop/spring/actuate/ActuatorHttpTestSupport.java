package dev.eventloop.spring.actuate;

import java.io.IOException;
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
import dev.eventloop.EventLoopRegistry;
import org.junit.jupiter.api.AfterEach;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.awaitility.Awaitility.await;

/**
 * Real HTTP calls to a running test application, and a way to stall one of its loops.
 */
abstract class ActuatorHttpTestSupport {

	static final JsonMapper json = JsonMapper.builder().build();

	private final HttpClient http = HttpClient.newHttpClient();

	/** Released after each test, so that a loop stalled by the test moves on. */
	final CountDownLatch release = new CountDownLatch(1);

	/** The loops this test stalled, and the stalling tasks, done once released. */
	private final List<EventLoop> stalledLoops = new CopyOnWriteArrayList<>();

	private final List<CompletableFuture<Void>> stalls = new CopyOnWriteArrayList<>();

	@LocalServerPort
	private int port;

	@Autowired
	EventLoopRegistry registry;

	/**
	 * Release the loops the test stalled and wait until they are no longer stalled, so
	 * that no test inherits a stalled loop from the cached application context.
	 */
	@AfterEach
	void releaseStalledLoops() {
		this.release.countDown();
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.stalls.stream().allMatch(CompletableFuture::isDone)
					&& this.stalledLoops.stream().noneMatch((loop) -> loop.stats().stall().stalled()));
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
		EventLoop loop = this.registry.loop(loopName).orElseThrow();
		CompletableFuture<Void> stall = new CompletableFuture<>();
		this.stalledLoops.add(loop);
		this.stalls.add(stall);
		loop.execute(() -> {
			try {
				blockingCallForTest(this.release);
			}
			finally {
				stall.complete(null);
			}
		});
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
