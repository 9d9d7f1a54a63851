package dev.eventloop.test.examples;

import dev.eventloop.EventLoop;
import dev.eventloop.spring.OnEventLoop;
import dev.eventloop.test.AutoConfigureEventLoops;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.stereotype.Service;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;

@WebMvcTest(SliceExampleTests.GreetingController.class)
@AutoConfigureEventLoops
@Import({ SliceExampleTests.GreetingController.class, SliceExampleTests.GreetingService.class })
@TestPropertySource(properties = "eventloop.loops.greetings.threads=1")
class SliceExampleTests {

	@Autowired
	MockMvc mvc;

	@Test
	void theControllerAnswersFromTheLoop() throws Exception {
		this.mvc.perform(get("/greeting")).andExpect(content().string("hello from greetings"));
	}

	@Service
	static class GreetingService {

		@OnEventLoop("greetings")
		public String greet() {
			return "hello from " + EventLoop.current().orElseThrow().name();
		}

	}

	@RestController
	static class GreetingController {

		private final GreetingService service;

		GreetingController(GreetingService service) {
			this.service = service;
		}

		@GetMapping("/greeting")
		String greeting() {
			return this.service.greet();
		}

	}

	@SpringBootConfiguration
	static class Application {

	}

}
