package dev.eventloop.sample;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopRegistry;
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
 * The sample over real HTTP against hostile requests: problem details echo at most a
 * short prefix of the input whatever its size, and the demo controls (stall, load) take
 * bounded parameters and run one at a time.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "sample.load.rate=1000")
class SampleHardeningTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	/**
	 * The largest problem detail any of these requests may produce.
	 */
	private static final int MAX_PROBLEM_BYTES = 1024;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

	@LocalServerPort
	private int port;

	@Autowired
	private JsonMapper json;

	@Autowired
	private EventLoopRegistry loops;

	@Test
	void hugeExponentAmountsAreShortProblems() throws Exception {
		assertThat(problem(postJson("/api/accounts/big-1/deposits", "{\"amount\": 1e100000000}"), 400).get("detail")
			.asString()).isEqualTo("'amount' must be at most 1000000.00, but was 1E+100000000.");
		assertThat(problem(postJson("/api/accounts/big-1/deposits", "{\"amount\": 1e-100000000}"), 400).get("detail")
			.asString()).isEqualTo("'amount' must have at most 2 decimal places, but was 1E-100000000.");
		assertThat(problem(postJson("/api/accounts/big-1/withdrawals", "{\"amount\": -1e100000000}"), 400).get("detail")
			.asString()).startsWith("'amount' must be positive, but was -1E+100000000");
		JsonNode transfer = problem(
				postJson("/api/transfers", "{\"from\": \"big-1\", \"to\": \"big-2\", \"amount\": 9e999999999}"), 400);
		assertThat(transfer.get("field").asString()).isEqualTo("amount");
		assertThat(transfer.get("rejectedValue").asString()).isEqualTo("9E+999999999");
	}

	@Test
	void amountsWithManyDigitsAreShortProblems() throws Exception {
		String digits = "9".repeat(999);
		JsonNode tooLarge = problem(postJson("/api/accounts/many-1/deposits", "{\"amount\": " + digits + "}"), 400);
		assertThat(tooLarge.get("detail").asString()).startsWith("'amount' must be at most 1000000.00, but was 999")
			.contains("(999 characters)");
		String decimals = "1." + "5".repeat(900);
		assertThat(
				problem(postJson("/api/accounts/many-1/deposits", "{\"amount\": " + decimals + "}"), 400).get("detail")
					.asString())
			.startsWith("'amount' must have at most 2 decimal places, but was 1.55");
		String zeros = "1." + "0".repeat(900);
		assertThat(
				problem(postJson("/api/accounts/many-1/deposits", "{\"amount\": \"" + zeros + "\"}"), 400).get("field")
					.asString())
			.isEqualTo("amount");
		problem(postJson("/api/accounts/many-1/deposits", "{\"amount\": \"" + "7".repeat(100_000) + "\"}"), 400);
	}

	@Test
	void longStringsAreEchoedAsAShortPrefix() throws Exception {
		String from = "a".repeat(1_000_000);
		JsonNode problem = problem(
				postJson("/api/transfers", "{\"from\": \"" + from + "\", \"to\": \"b-1\", \"amount\": 1}"), 400);
		assertThat(problem.get("field").asString()).isEqualTo("from");
		assertThat(problem.get("detail").asString()).contains("'aaaaaaaaaa").contains("(1000000 characters)");
		assertThat(problem.get("rejectedValue").asString()).startsWith("aaaaaaaaaa").endsWith("(1000000 characters)");
		JsonNode loop = problem(postForm("/api/demo/stall", "loop=" + "x".repeat(100_000) + "&millis=10"), 400);
		assertThat(loop.get("field").asString()).isEqualTo("loop");
		assertThat(loop.get("detail").asString()).contains("ledger-0").contains("(100000 characters)");
	}

	@Test
	void longPathsAndHeadersAreEchoedAsAShortPrefix() throws Exception {
		JsonNode path = problem(postJson("/api/accounts/" + "a".repeat(6000) + "/deposits", "{\"amount\": 1}"), 400);
		assertThat(path.get("field").asString()).isEqualTo("accountId");
		assertThat(path.get("instance").asString()).startsWith("/api/accounts/aaaaaaaaaa")
			.hasSizeLessThanOrEqualTo(ProblemSizeAdvice.MAX_INSTANCE + 3);
		JsonNode contentType = problem(send(HttpRequest.newBuilder(uri("/api/accounts/c-1/deposits"))
			.header("Content-Type", "application/x-" + "b".repeat(6000))
			.POST(HttpRequest.BodyPublishers.ofString("{\"amount\": 1}"))), 415);
		assertThat(contentType.get("detail").asString()).startsWith("Content-Type 'application/x-bbbbbbbbbb")
			.endsWith("characters)");
	}

	@Test
	void deeplyNestedJsonIsAShortProblem() throws Exception {
		problem(postJson("/api/accounts/deep-1/deposits", "{\"amount\": " + "[".repeat(100_000)), 400);
		problem(postJson("/api/transfers", "{\"from\": " + "{\"a\": ".repeat(50_000)), 400);
	}

	@Test
	void stallParametersOutsideTheirRangeAre400sNamingTheRange() throws Exception {
		for (String millis : new String[] { "0", "15001", "-1", "soon", "99999999999999999999999" }) {
			JsonNode problem = problem(postJson("/api/demo/stall?loop=ledger-0&millis=" + millis, ""), 400);
			assertThat(problem.get("field").asString()).isEqualTo("millis");
			assertThat(problem.get("detail").asString())
				.isEqualTo("'millis' must be a whole number from 1 to 15000, but was '" + millis + "'.");
		}
	}

	@Test
	void loadParametersOutsideTheirRangeAre400sNamingTheRange() throws Exception {
		for (String seconds : new String[] { "0", "601", "1.5", "-3" }) {
			JsonNode problem = problem(postJson("/api/demo/load?seconds=" + seconds, ""), 400);
			assertThat(problem.get("field").asString()).isEqualTo("seconds");
			assertThat(problem.get("detail").asString())
				.isEqualTo("'seconds' must be a whole number from 1 to 600, but was '" + seconds + "'.");
		}
	}

	@Test
	void aSecondStallWhileOneIsPendingIsA409() throws Exception {
		EventLoop held = this.loops.loop("ledger-3").orElseThrow();
		CountDownLatch entered = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		held.execute(() -> {
			entered.countDown();
			try {
				release.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		try {
			assertThat(entered.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			// queued behind the held task, so this stall has not ended yet
			assertThat(body(postJson("/api/demo/stall?loop=ledger-3&millis=1", ""), 202).get("loop").asString())
				.isEqualTo("ledger-3");
			JsonNode busy = problem(postJson("/api/demo/stall?loop=ledger-0&millis=1", ""), 409);
			assertThat(busy.get("title").asString()).isEqualTo("Demo control busy");
			assertThat(busy.get("detail").asString()).isEqualTo(
					"A stall of event loop 'ledger-3' is already running: wait for it to end, then start another.");
		}
		finally {
			release.countDown();
		}
		await().atMost(TIMEOUT).untilAsserted(() -> body(postJson("/api/demo/stall?loop=ledger-0&millis=1", ""), 202));
	}

	@Test
	void aSecondLoadWhileOneIsRunningIsA409() throws Exception {
		try {
			assertThat(body(postJson("/api/demo/load?seconds=60", ""), 202).get("running").asBoolean()).isTrue();
			JsonNode busy = problem(postJson("/api/demo/load?seconds=5", ""), 409);
			assertThat(busy.get("title").asString()).isEqualTo("Demo control busy");
			assertThat(busy.get("detail").asString()).startsWith("The load generator is already running, until ")
				.endsWith(": stop it with DELETE /api/demo/load, or wait for it to end, then start it again.");
			assertThat(body(delete("/api/demo/load"), 200).get("running").asBoolean()).isFalse();
			assertThat(body(postJson("/api/demo/load?seconds=60", ""), 202).get("running").asBoolean()).isTrue();
		}
		finally {
			body(delete("/api/demo/load"), 200);
		}
	}

	private JsonNode problem(Response response, int expectedStatus) {
		assertThat(response.size()).as("problem detail size").isLessThanOrEqualTo(MAX_PROBLEM_BYTES);
		JsonNode problem = body(response, expectedStatus);
		assertThat(problem.get("status").asInt()).isEqualTo(expectedStatus);
		return problem;
	}

	private JsonNode body(Response response, int expectedStatus) {
		assertThat(response.status()).as(response.text()).isEqualTo(expectedStatus);
		return this.json.readTree(response.text());
	}

	private Response postJson(String path, String body) throws Exception {
		return send(HttpRequest.newBuilder(uri(path))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body)));
	}

	private Response postForm(String path, String body) throws Exception {
		return send(HttpRequest.newBuilder(uri(path))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(body)));
	}

	private Response delete(String path) throws Exception {
		return send(HttpRequest.newBuilder(uri(path)).DELETE());
	}

	/**
	 * Send a request and read at most a little more of the answer than any answer here
	 * may hold, so that an oversized answer fails the test instead of filling the heap.
	 */
	private Response send(HttpRequest.Builder request) throws Exception {
		HttpResponse<InputStream> response = this.http.send(request.timeout(TIMEOUT).build(),
				HttpResponse.BodyHandlers.ofInputStream());
		try (InputStream body = response.body()) {
			byte[] read = body.readNBytes(64 * 1024);
			int size = (body.read() != -1) ? Integer.MAX_VALUE : read.length;
			return new Response(response.statusCode(), new String(read, StandardCharsets.UTF_8), size);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not read the answer to " + response.request().uri(), ex);
		}
	}

	private URI uri(String path) {
		return URI.create("http://localhost:" + this.port + path);
	}

	/**
	 * An answer: its status, the text of (at most) its first 64 KiB, and its size in
	 * bytes, {@link Integer#MAX_VALUE} when larger.
	 */
	private record Response(int status, String text, int size) {
	}

}
