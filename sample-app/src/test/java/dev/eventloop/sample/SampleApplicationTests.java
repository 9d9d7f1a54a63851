package dev.eventloop.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.DefaultApplicationArguments;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * The sample over real HTTP: the ledger's happy paths, its problem details, the offloaded
 * slow I/O, the settlement, the demonstrations and the actuator endpoints.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = { "eventloop.defaults.stall-threshold=300ms",
		"sample.settlement.period=100ms", "sample.load.rate=2000" })
class SampleApplicationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

	@LocalServerPort
	private int port;

	@Autowired
	private JsonMapper json;

	@Autowired
	private GatedArchive archive;

	@Autowired
	private LoadOnStartup loadOnStartup;

	@Test
	void depositThenWithdrawKeepsTheBalanceOnTheAccountsOwnLoop() throws Exception {
		JsonNode deposited = body(post("/api/accounts/alice-1/deposits", "{\"amount\": 100.50}"), 200);
		JsonNode withdrawn = body(post("/api/accounts/alice-1/withdrawals", "{\"amount\": 20}"), 200);
		JsonNode read = body(get("/api/accounts/alice-1"), 200);
		assertThat(deposited.get("balance").decimalValue()).isEqualByComparingTo("100.50");
		assertThat(withdrawn.get("balance").decimalValue()).isEqualByComparingTo("80.50");
		assertThat(read.get("postings").asLong()).isEqualTo(2);
		assertThat(deposited.get("loop").asString()).startsWith("ledger-")
			.isEqualTo(withdrawn.get("loop").asString())
			.isEqualTo(read.get("loop").asString());
	}

	@Test
	void concurrentDepositsToOneAccountAreAllCounted() throws Exception {
		List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			calls.add(this.http.sendAsync(postRequest("/api/accounts/shared-1/deposits", "{\"amount\": 1.25}"),
					HttpResponse.BodyHandlers.ofString()));
		}
		for (CompletableFuture<HttpResponse<String>> call : calls) {
			assertThat(call.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).statusCode()).isEqualTo(200);
		}
		JsonNode account = body(get("/api/accounts/shared-1"), 200);
		assertThat(account.get("balance").decimalValue()).isEqualByComparingTo("250.00");
		assertThat(account.get("postings").asLong()).isEqualTo(200);
	}

	@Test
	void transferMovesMoneyBetweenAccounts() throws Exception {
		body(post("/api/accounts/from-1/deposits", "{\"amount\": 50}"), 200);
		JsonNode transfer = body(post("/api/transfers", "{\"from\": \"from-1\", \"to\": \"to-1\", \"amount\": 20}"),
				200);
		assertThat(transfer.get("from").get("balance").decimalValue()).isEqualByComparingTo("30.00");
		assertThat(transfer.get("to").get("balance").decimalValue()).isEqualByComparingTo("20.00");
		assertThat(body(get("/api/accounts/to-1"), 200).get("balance").decimalValue()).isEqualByComparingTo("20.00");
	}

	@Test
	void badAccountIdIsA400ProblemNamingTheField() throws Exception {
		JsonNode problem = body(post("/api/accounts/not%20valid/deposits", "{\"amount\": 1}"), 400);
		assertThat(problem.get("title").asString()).isEqualTo("Invalid input");
		assertThat(problem.get("field").asString()).isEqualTo("accountId");
		assertThat(problem.get("detail").asString()).contains("'accountId' must be 1 to 32 letters")
			.contains("'not valid'");
	}

	@Test
	void negativeAmountIsA400ProblemSayingWhatToDo() throws Exception {
		JsonNode problem = body(post("/api/accounts/bob-1/deposits", "{\"amount\": -5}"), 400);
		assertThat(problem.get("field").asString()).isEqualTo("amount");
		assertThat(problem.get("detail").asString()).contains("must be positive, but was -5").contains("/withdrawals");
	}

	@Test
	void missingAmountAndMalformedJsonAre400Problems() throws Exception {
		assertThat(body(post("/api/accounts/bob-1/deposits", "{}"), 400).get("detail").asString())
			.contains("'amount' is required");
		assertThat(body(post("/api/accounts/bob-1/deposits", "{\"amount\": "), 400).get("status").asInt())
			.isEqualTo(400);
	}

	@Test
	void transferToTheSameAccountIsA400Problem() throws Exception {
		JsonNode problem = body(post("/api/transfers", "{\"from\": \"same-1\", \"to\": \"same-1\", \"amount\": 1}"),
				400);
		assertThat(problem.get("field").asString()).isEqualTo("to");
	}

	@Test
	void unknownAccountIsA404AndOverdraftA422() throws Exception {
		assertThat(body(get("/api/accounts/nobody-1"), 404).get("detail").asString())
			.contains("Account 'nobody-1' does not exist");
		body(post("/api/accounts/poor-1/deposits", "{\"amount\": 5}"), 200);
		assertThat(body(post("/api/accounts/poor-1/withdrawals", "{\"amount\": 6}"), 422).get("detail").asString())
			.contains("holds 5.00, less than the 6.00 asked for");
	}

	@Test
	void deadlockGuardAnswers409WithTheBlockingOnLoopMessage() throws Exception {
		JsonNode problem = body(post("/api/demo/deadlock-guard?accountId=guard-1", ""), 409);
		assertThat(problem.get("title").asString()).isEqualTo("Refused to block an event loop");
		assertThat(problem.get("loop").asString()).startsWith("ledger-");
		assertThat(problem.get("detail").asString())
			.startsWith("Cannot call LoopFuture.join() on event loop '" + problem.get("loop").asString() + "'")
			.contains("AsyncContext.dispatch");
	}

	@Test
	void statementOffloadsTheSlowArchiveWhileTheAccountsLoopKeepsServing() throws Exception {
		body(post("/api/accounts/slow-1/deposits", "{\"amount\": 10}"), 200);
		this.archive.close();
		try {
			CompletableFuture<HttpResponse<String>> statement = this.http.sendAsync(
					HttpRequest.newBuilder(uri("/api/accounts/slow-1/statement")).timeout(TIMEOUT).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(this.archive.entered.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			// the archive call is blocked; the same account's loop still answers
			JsonNode deposited = body(post("/api/accounts/slow-1/deposits", "{\"amount\": 5}"), 200);
			assertThat(deposited.get("balance").decimalValue()).isEqualByComparingTo("15.00");
			assertThat(statement).isNotDone();
			this.archive.open();
			HttpResponse<String> response = statement.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
			JsonNode body = this.json.readTree(response.body());
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(body.get("ioThread").asString()).doesNotStartWith("ledger");
			assertThat(body.get("completedOn").asString()).isEqualTo(body.get("loop").asString());
			assertThat(body.get("balance").decimalValue()).isEqualByComparingTo("15.00");
			assertThat(body.get("tasksRunMeanwhile").asLong()).isPositive();
			assertThat(body.get("archived").get(0).asString()).isEqualTo("archived line of slow-1");
		}
		finally {
			this.archive.open();
		}
	}

	@Test
	void stallingALoopTurnsHealthDownThenUpAgain() throws Exception {
		body(post("/api/demo/stall?loop=ledger-2&millis=1500", ""), 202);
		await().atMost(TIMEOUT).untilAsserted(() -> {
			HttpResponse<String> health = get("/actuator/health/eventLoops/ledger-2");
			assertThat(health.statusCode()).isEqualTo(503);
			assertThat(health.body()).contains("\"DOWN\"");
		});
		await().atMost(TIMEOUT)
			.untilAsserted(() -> assertThat(get("/actuator/health/eventLoops/ledger-2").statusCode()).isEqualTo(200));
	}

	@Test
	void stallOfAnUnknownLoopIsA400ListingTheLoops() throws Exception {
		JsonNode problem = body(post("/api/demo/stall?loop=nope&millis=10", ""), 400);
		assertThat(problem.get("detail").asString()).contains("ledger-0").contains("settlement");
	}

	@Test
	void loadGeneratorDrivesTheLedgerAndStops() throws Exception {
		assertThat(body(post("/api/demo/load?seconds=30", ""), 202).get("running").asBoolean()).isTrue();
		await().atMost(TIMEOUT)
			.untilAsserted(
					() -> assertThat(body(get("/api/demo/load"), 200).get("completed").asLong()).isGreaterThan(500));
		JsonNode stopped = body(delete("/api/demo/load"), 200);
		assertThat(stopped.get("running").asBoolean()).isFalse();
		assertThat(stopped.get("failed").asLong()).isZero();
		assertThat(body(get("/api/settlement"), 200).get("accounts").asInt()).isPositive();
	}

	@Test
	void loadFlagStartsTheGeneratorForTheGivenSeconds() throws Exception {
		long before = body(get("/api/demo/load"), 200).get("completed").asLong();
		this.loadOnStartup.run(new DefaultApplicationArguments("--load=1"));
		assertThat(body(get("/api/demo/load"), 200).get("until").isNull()).isFalse();
		await().atMost(TIMEOUT).untilAsserted(() -> {
			JsonNode status = body(get("/api/demo/load"), 200);
			assertThat(status.get("running").asBoolean()).isFalse();
			assertThat(status.get("completed").asLong()).isGreaterThan(before);
		});
	}

	@Test
	void loadFlagWithAnInvalidValueSaysWhatItTakes() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.loadOnStartup.run(new DefaultApplicationArguments("--load=soon")))
			.withMessageContaining("--load takes a positive number of seconds")
			.withMessageContaining("'soon'");
	}

	@Test
	void actuatorExposesLoopsAndPrometheusSeries() throws Exception {
		JsonNode loops = body(get("/actuator/eventloops"), 200).get("loops");
		List<String> names = new ArrayList<>();
		loops.forEach((loop) -> names.add(loop.get("name").asString()));
		assertThat(names).contains("ledger-0", "ledger-1", "ledger-2", "ledger-3", "settlement");
		String prometheus = get("/actuator/prometheus").body();
		assertThat(prometheus).contains("eventloop_tasks_completed_tasks_total{").contains("loop=\"ledger-0\"");
	}

	@Test
	void livePageIsServedAtTheRoot() throws Exception {
		HttpResponse<String> page = get("/");
		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.body()).contains("<canvas class=\"queue\"").contains("app.js");
		assertThat(get("/app.js").body()).contains("/actuator/eventloops");
	}

	private JsonNode body(HttpResponse<String> response, int expectedStatus) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(expectedStatus);
		return this.json.readTree(response.body());
	}

	private HttpResponse<String> get(String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(uri(path)).timeout(TIMEOUT).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> delete(String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(uri(path)).timeout(TIMEOUT).DELETE().build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> post(String path, String body) throws Exception {
		return this.http.send(postRequest(path, body), HttpResponse.BodyHandlers.ofString());
	}

	private HttpRequest postRequest(String path, String body) {
		return HttpRequest.newBuilder(uri(path))
			.timeout(TIMEOUT)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build();
	}

	private URI uri(String path) {
		return URI.create("http://localhost:" + this.port + path);
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class ArchiveConfiguration {

		@Bean
		@Primary
		GatedArchive gatedArchive() {
			return new GatedArchive();
		}

	}

	/**
	 * An archive that, once closed, blocks every fetch until opened again: a slow I/O
	 * call whose duration the test controls.
	 */
	static class GatedArchive implements StatementArchive {

		// replaced by the test thread between uses, read by offload threads
		private volatile CountDownLatch gate = new CountDownLatch(0);

		final CountDownLatch entered = new CountDownLatch(1);

		void close() {
			this.gate = new CountDownLatch(1);
		}

		void open() {
			this.gate.countDown();
		}

		@Override
		public List<String> fetch(String accountId) throws InterruptedException {
			this.entered.countDown();
			if (!this.gate.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
				throw new IllegalStateException("archive gate was never opened");
			}
			return List.of("archived line of " + accountId);
		}

	}

}
