package dev.eventloop.test;

import dev.eventloop.AsyncContext;
import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import dev.eventloop.spring.OnEventLoop;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.stereotype.Service;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * A {@code @WebMvcTest} slice gets the loops, {@link AsyncContext} and the
 * {@code @OnEventLoop} proxies from {@link AutoConfigureEventLoops}.
 */
@WebMvcTest(AutoConfigureEventLoopsWebMvcTests.QuoteController.class)
@AutoConfigureEventLoops
@Import({ AutoConfigureEventLoopsWebMvcTests.QuoteController.class,
		AutoConfigureEventLoopsWebMvcTests.QuoteService.class })
@TestPropertySource(properties = "eventloop.loops.quotes.threads=2")
class AutoConfigureEventLoopsWebMvcTests {

	@Autowired
	MockMvc mvc;

	@Test
	void aControllerOfTheSliceUsesAsyncContextAndAnOnEventLoopService() throws Exception {
		this.mvc.perform(get("/quotes/EUR"))
			.andExpect(status().isOk())
			.andExpect(content().string("EUR priced on quotes-" + indexOf("EUR") + ", answered via quotes"));
	}

	private static int indexOf(String key) {
		try (EventLoopGroup probe = EventLoopGroup.builder("probe").threads(2).build()) {
			return probe.loops().indexOf(probe.forKey(key));
		}
	}

	@SpringBootConfiguration
	static class Application {

	}

	@RestController
	static class QuoteController {

		private final AsyncContext async;

		private final EventLoopGroup quotes;

		private final QuoteService service;

		QuoteController(AsyncContext async,
				@org.springframework.beans.factory.annotation.Qualifier("quotes") EventLoopGroup quotes,
				QuoteService service) {
			this.async = async;
			this.quotes = quotes;
			this.service = service;
		}

		@GetMapping("/quotes/{currency}")
		String quote(@PathVariable String currency) {
			String group = this.async.call(this.quotes, () -> EventLoop.current().orElseThrow().group().name());
			return this.service.price(currency) + ", answered via " + group;
		}

	}

	@Service
	static class QuoteService {

		@OnEventLoop(value = "quotes", key = "#currency")
		public String price(String currency) {
			return currency + " priced on " + EventLoop.current().orElseThrow().name();
		}

	}

}
