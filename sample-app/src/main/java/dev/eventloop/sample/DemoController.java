package dev.eventloop.sample;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopRegistry;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Demonstrations for the live page: generate load, stall a loop on purpose, and trip the
 * deadlock guard.
 */
@RestController
@RequestMapping("/api/demo")
class DemoController {

	private static final long MAX_STALL_MILLIS = 15_000;

	private final Ledger ledger;

	private final LoadGenerator load;

	private final EventLoopRegistry loops;

	DemoController(Ledger ledger, LoadGenerator load, EventLoopRegistry loops) {
		this.ledger = ledger;
		this.load = load;
		this.loops = loops;
	}

	@PostMapping("/load")
	@ResponseStatus(HttpStatus.ACCEPTED)
	LoadGenerator.Status startLoad(@RequestParam(defaultValue = "20") long seconds) {
		if (seconds < 1 || seconds > 600) {
			throw new InvalidInputException("seconds", seconds,
					"'seconds' must be between 1 and 600, but was " + seconds + ".");
		}
		return this.load.start(Duration.ofSeconds(seconds));
	}

	@DeleteMapping("/load")
	LoadGenerator.Status stopLoad() {
		return this.load.halt();
	}

	@GetMapping("/load")
	LoadGenerator.Status loadStatus() {
		return this.load.status();
	}

	/**
	 * Block one loop on purpose for a while (a task that sleeps), so that the watchdog
	 * marks it stalled and its health goes DOWN, then UP again when the task ends.
	 */
	@PostMapping("/stall")
	@ResponseStatus(HttpStatus.ACCEPTED)
	Map<String, Object> stall(@RequestParam(defaultValue = "ledger-1") String loop,
			@RequestParam(defaultValue = "4000") long millis) {
		if (millis < 1 || millis > MAX_STALL_MILLIS) {
			throw new InvalidInputException("millis", millis,
					"'millis' must be between 1 and " + MAX_STALL_MILLIS + ", but was " + millis + ".");
		}
		EventLoop target = this.loops.loop(loop)
			.orElseThrow(() -> new InvalidInputException("loop", loop, "'loop' must name an event loop, one of "
					+ this.loops.loops().stream().map(EventLoop::name).toList() + ", but was '" + loop + "'."));
		target.execute(() -> {
			try {
				Thread.sleep(millis);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		return Map.of("loop", target.name(), "millis", millis, "stallThresholdMillis",
				target.stallThreshold().toMillis());
	}

	/**
	 * Make a loop wait for a result only it can produce. The deadlock guard refuses the
	 * wait, and the refusal comes back as a 409 problem detail instead of a hung request.
	 */
	@PostMapping("/deadlock-guard")
	CompletableFuture<AccountView> deadlockGuard(@RequestParam(defaultValue = "demo") String accountId) {
		return this.ledger.accountTheBlockingWay(Inputs.accountId("accountId", accountId));
	}

}
