package dev.eventloop.spring.autoconfigure;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import dev.eventloop.spring.OnEventLoop;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A servlet application on a real port whose controller returns the future of an
 * {@code @OnEventLoop} service.
 */
@SpringBootTest(classes = ServletWebApplicationTests.WebApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.main.web-application-type=servlet", "eventloop.loops.accounts.threads=2" })
class ServletWebApplicationTests {

	@LocalServerPort
	private int port;

	@Autowired
	private EventLoopGroup accounts;

	private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	@Test
	void controllerReturningTheFutureOfALoopServiceShouldAnswerFromTheLoop() throws Exception {
		for (String account : new String[] { "alice", "bob", "carol" }) {
			HttpResponse<String> response = get("/balance/" + account);
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.body()).isEqualTo(account + ": 100 on " + this.accounts.forKey(account).name());
		}
	}

	@Test
	void failureOfTheLoopServiceShouldReachTheClient() throws Exception {
		HttpResponse<String> response = get("/balance/nobody");
		assertThat(response.statusCode()).isEqualTo(500);
	}

	private HttpResponse<String> get(String path) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.timeout(Duration.ofSeconds(10))
			.build();
		return this.client.send(request, HttpResponse.BodyHandlers.ofString());
	}

	static class AccountService {

		@OnEventLoop(value = "accounts", key = "#account")
		public CompletableFuture<String> balance(String account) {
			if (account.equals("nobody")) {
				throw new IllegalArgumentException("No account 'nobody'");
			}
			return CompletableFuture
				.completedFuture(account + ": 100 on " + EventLoop.current().map(EventLoop::name).orElse("no loop"));
		}

	}

	@RestController
	static class AccountController {

		private final AccountService service;

		AccountController(AccountService service) {
			this.service = service;
		}

		@GetMapping("/balance/{account}")
		CompletableFuture<String> balance(@PathVariable String account) {
			return this.service.balance(account);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class WebApplication {

		@Bean
		AccountService accountService() {
			return new AccountService();
		}

		@Bean
		AccountController accountController(AccountService service) {
			return new AccountController(service);
		}

	}

}
