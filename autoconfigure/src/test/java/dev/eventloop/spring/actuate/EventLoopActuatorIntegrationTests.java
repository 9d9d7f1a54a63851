package dev.eventloop.spring.actuate;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.eventloop.EventLoop;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Health, endpoint and Prometheus output of event loops over real HTTP.
 */
@SpringBootTest(classes = ActuatorHttpTestSupport.TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "eventloop.loops.work.threads=2", "eventloop.loops.counted.threads=1",
				"eventloop.defaults.stall-threshold=200ms", "eventloop.loops.laggy.lag-threshold=100ms",
				"management.endpoints.web.exposure.include=health,eventloops,prometheus",
				"management.endpoint.health.show-details=always" })
class EventLoopActuatorIntegrationTests extends ActuatorHttpTestSupport {

	@Test
	void healthIsUpWithOneComponentPerLoopAndGoesDownWhileALoopIsStalled() throws Exception {
		HttpResponse<String> initial = get("/actuator/health/eventLoops");
		assertThat(initial.statusCode()).isEqualTo(200);
		JsonNode body = json.readTree(initial.body());
		assertThat(body.get("status").asString()).isEqualTo("UP");
		assertThat(body.get("components").propertyNames()).containsExactlyInAnyOrder("work-0", "work-1", "counted",
				"laggy");
		assertThat(body.get("components").get("work-1").get("details").get("state").asString()).isEqualTo("RUNNING");

		stall("work-1");
		HttpResponse<String> stalled = await().atMost(Duration.ofSeconds(30))
			.until(() -> get("/actuator/health/eventLoops/work-1"), (response) -> response.statusCode() == 503);
		JsonNode down = json.readTree(stalled.body());
		assertThat(down.get("status").asString()).isEqualTo("DOWN");
		// the stalled task waits on a latch: reported
		// as blocked, before the stall threshold
		assertThat(down.get("details").get("reason").asString()).isEqualTo("blocked");
		assertThat(down.get("details").get("stalledForMillis").asDouble()).isPositive();
		HttpResponse<String> aggregate = get("/actuator/health");
		assertThat(aggregate.statusCode()).isEqualTo(503);
		assertThat(json.readTree(aggregate.body()).get("status").asString()).isEqualTo("DOWN");
		assertThat(get("/actuator/health/eventLoops/work-0").statusCode()).isEqualTo(200);
		assertThat(getJson("/actuator/health/eventLoops/work-0").get("status").asString()).isEqualTo("UP");

		this.release.countDown();
		HttpResponse<String> released = await().atMost(Duration.ofSeconds(30))
			.until(() -> get("/actuator/health/eventLoops/work-1"), (response) -> response.statusCode() == 200);
		assertThat(json.readTree(released.body()).get("status").asString()).isEqualTo("UP");
		HttpResponse<String> all = await().atMost(Duration.ofSeconds(30))
			.until(() -> get("/actuator/health"), (response) -> response.statusCode() == 200);
		assertThat(json.readTree(all.body()).get("status").asString()).isEqualTo("UP");
	}

	@Test
	void healthGoesDownLaggingWhileWorkWaitsLongerThanTheLagThresholdAndUpAfterwards() throws Exception {
		EventLoop laggy = this.registry.loop("laggy").orElseThrow();
		// back-to-back tasks, each shorter than the stall threshold: never stalled, but
		// the work behind them waits
		java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
		for (int i = 0; i < 12; i++) {
			laggy.execute(() -> {
				spin(Duration.ofMillis(120));
				done.incrementAndGet();
			});
		}
		// the health and, read after it, how many tasks had finished: the first
		// lagging health, or none once all twelve are done
		Health lagging = await().atMost(Duration.ofSeconds(30)).until(() -> {
			HttpResponse<String> response = get("/actuator/health/eventLoops/laggy");
			return new Health(response, done.get());
		}, (health) -> "lagging".equals(health.reason()) || health.done() == 12);
		assertThat(lagging.done()).as("DOWN before the twelve tasks finished").isLessThan(12);
		assertThat(lagging.response().statusCode()).isEqualTo(503);
		assertThat(lagging.reason()).isEqualTo("lagging");
		HttpResponse<String> up = await().atMost(Duration.ofSeconds(30))
			.until(() -> get("/actuator/health/eventLoops/laggy"), (response) -> response.statusCode() == 200);
		assertThat(json.readTree(up.body()).get("status").asString()).isEqualTo("UP");
		assertThat(laggy.stats().stall().stalled()).isFalse();
	}

	private static void spin(Duration duration) {
		long until = System.nanoTime() + duration.toNanos();
		while (System.nanoTime() - until < 0) {
			Thread.onSpinWait();
		}
	}

	@Test
	void endpointListsEveryLoopAndHidesStackTracesByDefault() throws Exception {
		JsonNode all = getJson("/actuator/eventloops");
		assertThat(all.get("loops").valueStream().map((loop) -> loop.get("name").asString()))
			.containsExactlyInAnyOrder("work-0", "work-1", "counted", "laggy");
		HttpResponse<String> one = get("/actuator/eventloops/work-0");
		assertThat(one.statusCode()).isEqualTo(200);
		JsonNode loop = json.readTree(one.body());
		assertThat(loop.get("group").asString()).isEqualTo("work");
		assertThat(loop.get("state").asString()).isEqualTo("RUNNING");
		assertThat(loop.get("tasks").propertyNames()).contains("submitted", "inline", "completed", "failed", "rejected",
				"abandoned", "blockingViolations");
		assertThat(loop.get("queue").get("capacity").asInt()).isZero();
		assertThat(loop.get("lagMillis").propertyNames()).contains("last", "p50", "p99", "max");
		assertThat(loop.get("stalled").asBoolean()).isFalse();
		assertThat(get("/actuator/eventloops/no-such-loop").statusCode()).isEqualTo(404);

		stall("work-0");
		JsonNode stalled = await().atMost(Duration.ofSeconds(30))
			.until(() -> getJson("/actuator/eventloops/work-0"), (node) -> node.get("stalled").asBoolean());
		assertThat(stalled.get("stalledSince").isNull()).isFalse();
		JsonNode trace = stalled.get("stackTrace");
		assertThat(trace == null || trace.isNull()).isTrue();

		// released, work-0 is no longer stalled when the test ends
		this.release.countDown();
		JsonNode released = await().atMost(Duration.ofSeconds(30))
			.until(() -> getJson("/actuator/eventloops/work-0"), (node) -> !node.get("stalled").asBoolean());
		assertThat(released.get("state").asString()).isEqualTo("RUNNING");
	}

	@Test
	void prometheusShowsEverySeriesWithCountsMatchingTheWorkDone() throws Exception {
		EventLoop counted = this.registry.loop("counted").orElseThrow();
		for (int i = 0; i < 6; i++) {
			counted.execute(() -> {
			});
		}
		for (int i = 0; i < 2; i++) {
			counted.execute(() -> {
				throw new IllegalStateException("expected by the test");
			});
		}
		counted.submit(() -> null).get(5, TimeUnit.SECONDS);
		String scrape = get("/actuator/prometheus").body();
		String tags = "{group=\"counted\",loop=\"counted\"}";
		assertThat(scrape).contains("eventloop_tasks_submitted_tasks_total" + tags + " 9.0")
			.contains("eventloop_tasks_completed_tasks_total" + tags + " 7.0")
			.contains("eventloop_tasks_failed_tasks_total" + tags + " 2.0")
			.contains("eventloop_tasks_rejected_tasks_total" + tags + " 0.0")
			.contains("eventloop_tasks_inline_tasks_total" + tags + " 0.0")
			.contains("eventloop_tasks_abandoned_tasks_total" + tags + " 0.0")
			.contains("eventloop_blocking_violations_calls_total" + tags + " 0.0")
			.contains("eventloop_queue_size_tasks" + tags + " 0.0")
			.contains("eventloop_stalled" + tags + " 0.0")
			.contains("eventloop_utilization" + tags)
			.contains("eventloop_lag_seconds_count" + tags)
			.contains("eventloop_lag_seconds_bucket{group=\"counted\",loop=\"counted\",le=");
		for (String loop : new String[] { "work-0", "work-1" }) {
			assertThat(scrape).contains("eventloop_tasks_submitted_tasks_total{group=\"work\",loop=\"" + loop + "\"}");
		}
	}

	/**
	 * A health response and how many of the test's tasks had finished once it came.
	 */
	private record Health(HttpResponse<String> response, int done) {

		String reason() {
			JsonNode details = json.readTree(this.response.body()).get("details");
			return (details != null && details.has("reason")) ? details.get("reason").asString() : "";
		}

	}

}
