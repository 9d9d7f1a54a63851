package dev.eventloop.spring.actuate;

import java.time.Duration;

import dev.eventloop.EventLoop;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The eventloops endpoint shows a stalled loop's stack trace when configured to.
 */
@SpringBootTest(classes = ActuatorHttpTestSupport.TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "eventloop.loops.traced.threads=1", "eventloop.defaults.stall-threshold=200ms",
				"eventloop.actuator.show-stack-traces=always", "management.endpoints.web.exposure.include=eventloops" })
class EventLoopStackTraceIntegrationTests extends ActuatorHttpTestSupport {

	@Test
	void stalledLoopShowsItsStackTraceNamingTheBlockingMethod() throws Exception {
		EventLoop loop = this.registry.loop("traced").orElseThrow();
		stall("traced");
		await().atMost(Duration.ofSeconds(30)).until(() -> loop.stats().stall().stalled());
		JsonNode body = getJson("/actuator/eventloops/traced");
		assertThat(body.get("stalled").asBoolean()).isTrue();
		assertThat(body.get("stackTrace").valueStream().map(JsonNode::asString))
			.anySatisfy((frame) -> assertThat(frame).contains("blockingCallForTest"));
		this.release.countDown();
		await().atMost(Duration.ofSeconds(30)).until(() -> !loop.stats().stall().stalled());
	}

}
