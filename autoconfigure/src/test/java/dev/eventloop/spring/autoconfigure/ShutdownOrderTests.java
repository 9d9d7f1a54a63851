package dev.eventloop.spring.autoconfigure;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.eventloop.EventLoop;
import dev.eventloop.LoopState;
import dev.eventloop.spring.OnEventLoop;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An HTTP request in flight when the application shuts down still gets its answer from
 * the loop: the loops stop only after the web server has stopped taking requests and has
 * drained those it had.
 */
class ShutdownOrderTests {

	private static final long TIMEOUT_SECONDS = 20;

	@Test
	void requestInFlightDuringShutdownShouldStillBeAnsweredByTheLoop() throws Exception {
		ConfigurableApplicationContext context = SpringApplication.run(WebApplication.class, "--server.port=0",
				"--spring.main.web-application-type=servlet", "--server.shutdown=graceful",
				"--spring.lifecycle.timeout-per-shutdown-phase=20s", "--eventloop.shutdown-timeout=10s");
		try {
			assertInFlightRequestIsAnswered(context);
		}
		finally {
			context.close();
		}
	}

	private void assertInFlightRequestIsAnswered(ConfigurableApplicationContext context) throws Exception {
		int port = ((WebServerApplicationContext) context).getWebServer().getPort();
		SlowRequest request = context.getBean(SlowRequest.class);
		EventLoop loop = context.getBean("default", EventLoop.class);

		HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
		CompletableFuture<HttpResponse<String>> response = client
			.sendAsync(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/slow"))
				.timeout(Duration.ofSeconds(TIMEOUT_SECONDS))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(request.entered.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("request reached the loop").isTrue();

		CompletableFuture<Void> closed = CompletableFuture.runAsync(context::close);
		// wait until the web server's graceful shutdown has begun: it refuses new
		// requests while it waits for the one in flight
		await().atMost(Duration.ofSeconds(TIMEOUT_SECONDS)).until(() -> refusesNewRequests(port));
		assertThat(closed).isNotDone();
		// the loop must still take work, which completes the request's answer
		loop.execute(() -> request.pending.complete("answered by " + EventLoop.current().get().name()));

		HttpResponse<String> answer = response.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
		assertThat(answer.statusCode()).isEqualTo(200);
		assertThat(answer.body()).isEqualTo("answered by default");
		closed.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
		assertThat(loop.state()).isEqualTo(LoopState.TERMINATED);
	}

	private static boolean refusesNewRequests(int port) {
		HttpClient probe = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
		try {
			HttpResponse<Void> response = probe
				.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/missing"))
					.timeout(Duration.ofSeconds(2))
					.build(), HttpResponse.BodyHandlers.discarding());
			return response.statusCode() == 503;
		}
		catch (IOException ex) {
			return true;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	static class SlowRequest {

		final CountDownLatch entered = new CountDownLatch(1);

		// completed by a task on the loop, returned to the request by the loop
		final CompletableFuture<String> pending = new CompletableFuture<>();

	}

	static class SlowService {

		private final SlowRequest request;

		SlowService(SlowRequest request) {
			this.request = request;
		}

		@OnEventLoop
		public CompletableFuture<String> slow() {
			this.request.entered.countDown();
			return this.request.pending;
		}

	}

	@RestController
	static class SlowController {

		private final SlowService service;

		SlowController(SlowService service) {
			this.service = service;
		}

		@GetMapping("/slow")
		CompletableFuture<String> slow() {
			return this.service.slow();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class WebApplication {

		@Bean
		SlowRequest slowRequest() {
			return new SlowRequest();
		}

		@Bean
		SlowService slowService(SlowRequest request) {
			return new SlowService(request);
		}

		@Bean
		SlowController slowController(SlowService service) {
			return new SlowController(service);
		}

	}

}
