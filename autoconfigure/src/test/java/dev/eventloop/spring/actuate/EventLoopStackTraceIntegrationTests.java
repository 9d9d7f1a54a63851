package dev.eventloop.spring.actuate;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The eventloops endpoint shows a stalled loop's stack trace when configured to.
 */
@SpringBootTest(classes = EventLoopActuatorIntegrationTests.TestApplication.class,
		webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "eventloop.loops.traced.threads=1", "eventloop.defaults.stall-threshold=200ms",
				"eventloop.actuator.show-stack-traces=always", "management.endpoints.web.exposure.include=eventloops" })
class EventLoopStackTraceIntegrationTests {

	private final HttpClient http = HttpClient.newHttpClient();

	private final CountDownLatch release = new CountDownLatch(1);

	@LocalServerPort
	private int port;

	@Autowired
	private EventLoopRegistry registry;

	@AfterEach
	void releaseBlockedLoops() {
		this.release.countDown();
	}

	@Test
	void stalledLoopShowsItsStackTraceNamingTheBlockingMethod() throws Exception {
		EventLoop loop = this.registry.loop("traced").orElseThrow();
		loop.execute(() -> EventLoopActuatorIntegrationTests.blockingCallForTest(this.release));
		await().atMost(Duration.ofSeconds(30)).until(() -> loop.stats().stalled());
		HttpResponse<String> response = this.http
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/actuator/eventloops/traced"))
				.timeout(Duration.ofSeconds(60))
				.build(), HttpResponse.BodyHandlers.ofString());
		JsonNode body = EventLoopActuatorIntegrationTests.json.readTree(response.body());
		assertThat(body.get("stalled").asBoolean()).isTrue();
		assertThat(body.get("stackTrace").valueStream().map(JsonNode::asString))
			.anySatisfy((frame) -> assertThat(frame).contains("blockingCallForTest"));
		this.release.countDown();
		await().atMost(Duration.ofSeconds(30)).until(() -> !loop.stats().stalled());
	}

}
