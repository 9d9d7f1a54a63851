package dev.eventloop.sample;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopRegistry;
import org.jspecify.annotations.Nullable;

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
 * deadlock guard. These are demo controls with no authentication: their parameters are
 * bounded, and one load and one stall run at a time.
 */
@RestController
@RequestMapping("/api/demo")
class DemoController {

	private static final long MAX_STALL_MILLIS = 15_000;

	private static final long MAX_LOAD_SECONDS = 600;

	private final Ledger ledger;

	private final LoadGenerator load;

	private final EventLoopRegistry loops;

	// the loop a stall runs on, null when none: set by a request thread, cleared by the
	// stalled loop when the stall ends
	private final AtomicReference<@Nullable String> stalling = new AtomicReference<>();

	DemoController(Ledger ledger, LoadGenerator load, EventLoopRegistry loops) {
		this.ledger = ledger;
		this.load = load;
		this.loops = loops;
	}

	/**
	 * Start the load generator for 1 to 600 seconds; refused while it is running.
	 */
	@PostMapping("/load")
	@ResponseStatus(HttpStatus.ACCEPTED)
	LoadGenerator.Status startLoad(@RequestParam(defaultValue = "20") String seconds) {
		long duration = Inputs.wholeNumber("seconds", seconds, 1, MAX_LOAD_SECONDS);
		return this.load.start(Duration.ofSeconds(duration));
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
	 * Block one loop on purpose for 1 to 15000 ms (a task that sleeps), so that the
	 * watchdog marks it stalled and its health goes DOWN, then UP again when the task
	 * ends. One stall at a time: another is refused until this one has ended.
	 */
	@PostMapping("/stall")
	@ResponseStatus(HttpStatus.ACCEPTED)
	Map<String, Object> stall(@RequestParam(defaultValue = "ledger-1") String loop,
			@RequestParam(defaultValue = "4000") String millis) {
		long duration = Inputs.wholeNumber("millis", millis, 1, MAX_STALL_MILLIS);
		EventLoop target = this.loops.loop(loop)
			.orElseThrow(() -> new InvalidInputException("loop", loop,
					"'loop' must name an event loop, one of "
							+ this.loops.loops().stream().map(EventLoop::name).toList() + ", but was '"
							+ Inputs.echo(loop) + "'."));
		String running = this.stalling.compareAndExchange(null, target.name());
		if (running != null) {
			throw new DemoBusyException("stall", "A stall of event loop '" + running
					+ "' is already running: wait for it to end, then start another.");
		}
		try {
			target.execute(() -> {
				try {
					Thread.sleep(duration);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				finally {
					this.stalling.set(null);
				}
			});
		}
		catch (RuntimeException ex) {
			this.stalling.set(null);
			throw ex;
		}
		return Map.of("loop", target.name(), "millis", duration, "stallThresholdMillis",
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
