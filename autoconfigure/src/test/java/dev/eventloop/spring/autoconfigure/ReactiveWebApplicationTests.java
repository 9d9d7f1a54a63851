package dev.eventloop.spring.autoconfigure;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import dev.eventloop.BlockingOnLoopException;
import dev.eventloop.EventLoop;
import dev.eventloop.spring.OnEventLoop;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A WebFlux application on reactor-netty: its handler threads are foreign event loops, so
 * a blocking {@code @OnEventLoop} call from them is refused like one from our own loops,
 * while the future and {@code Mono} forms work.
 */
@SpringBootTest(classes = ReactiveWebApplicationTests.ReactiveApplication.class,
		webEnvironment = WebEnvironment.RANDOM_PORT, properties = { "spring.main.web-application-type=reactive",
				"spring.autoconfigure.exclude=org.springframework.boot.tomcat.autoconfigure.reactive.TomcatReactiveWebServerAutoConfiguration" })
class ReactiveWebApplicationTests {

	@LocalServerPort
	private int port;

	private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	@Test
	void blockingCallFromReactorNettyThreadShouldBeRefused() throws Exception {
		HttpResponse<String> response = get("/blocking");
		assertThat(response.statusCode()).isEqualTo(200);
		// reactor-netty's handler threads (named "<prefix>-http-<transport>-<n>")
		assertThat(response.body())
			.matches("(?s)refused on [a-z]+-http-[a-z]+-\\d+: " + BlockingOnLoopException.class.getName() + ": .*");
	}

	@Test
	void futureCallFromReactorNettyThreadShouldBeAnsweredByTheLoop() throws Exception {
		HttpResponse<String> response = get("/future");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("default");
	}

	@Test
	void monoCallFromReactorNettyThreadShouldBeAnsweredByTheLoop() throws Exception {
		HttpResponse<String> response = get("/mono");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("default");
	}

	private HttpResponse<String> get(String path) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.timeout(Duration.ofSeconds(10))
			.build();
		return this.client.send(request, HttpResponse.BodyHandlers.ofString());
	}

	static class LoopService {

		@OnEventLoop
		public String blockingLoopName() {
			return loopName();
		}

		@OnEventLoop
		public CompletableFuture<String> futureLoopName() {
			return CompletableFuture.completedFuture(loopName());
		}

		@OnEventLoop
		public Mono<String> monoLoopName() {
			return Mono.just(loopName());
		}

		private static String loopName() {
			return EventLoop.current().map(EventLoop::name).orElse("no loop");
		}

	}

	@RestController
	static class LoopController {

		private final LoopService service;

		LoopController(LoopService service) {
			this.service = service;
		}

		@GetMapping("/blocking")
		String blocking() {
			try {
				return "answered by " + this.service.blockingLoopName();
			}
			catch (BlockingOnLoopException ex) {
				return "refused on " + Thread.currentThread().getName() + ": " + ex;
			}
		}

		@GetMapping("/future")
		Mono<String> future() {
			return Mono.fromFuture(this.service.futureLoopName());
		}

		@GetMapping("/mono")
		Mono<String> mono() {
			return this.service.monoLoopName();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class ReactiveApplication {

		@Bean
		LoopService loopService() {
			return new LoopService();
		}

		@Bean
		LoopController loopController(LoopService service) {
			return new LoopController(service);
		}

	}

}
