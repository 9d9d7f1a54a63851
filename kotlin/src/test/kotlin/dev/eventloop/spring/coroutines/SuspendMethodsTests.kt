package dev.eventloop.spring.coroutines

import dev.eventloop.EventLoop
import dev.eventloop.EventLoopGroup
import dev.eventloop.coroutines.asCoroutineDispatcher
import io.micrometer.context.ContextRegistry
import io.micrometer.context.integration.Slf4jThreadLocalAccessor
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.Duration
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.test.TestScope
import kotlinx.coroutines.test.runTest
import kotlinx.coroutines.withContext
import org.assertj.core.api.Assertions.assertThat
import org.assertj.core.api.Assertions.assertThatExceptionOfType
import org.awaitility.Awaitility.await
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.slf4j.MDC
import org.springframework.beans.factory.annotation.Autowired
import org.springframework.beans.factory.annotation.Qualifier
import org.springframework.boot.test.context.SpringBootTest
import org.springframework.boot.test.web.server.LocalServerPort

/**
 * `suspend` methods with `@OnEventLoop` and `@Offload` in a running application, called
 * from a `suspend` controller over real HTTP and from coroutines.
 */
@SpringBootTest(
	classes = [SuspendingApplication::class],
	webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
	properties = ["eventloop.loops.ledger.threads=4", "eventloop.loops.settlement="],
)
class SuspendMethodsTests {

	@Autowired
	private lateinit var ledger: SuspendingLedger

	@Autowired
	@Qualifier("ledger")
	private lateinit var ledgerLoops: EventLoopGroup

	@Autowired
	@Qualifier("settlement")
	private lateinit var settlement: EventLoop

	@LocalServerPort
	private var port = 0

	@BeforeEach
	fun reset() {
		ledger.events.clear()
		ledger.gate = CompletableDeferred()
		MDC.clear()
	}

	@Test
	fun `a suspend controller awaits a suspend method on the key's loop over HTTP`() {
		assertThat(post("/accounts/alice/deposits?amount=5")).isEqualTo("alice has 5")
		assertThat(post("/accounts/alice/deposits?amount=7")).isEqualTo("alice has 12")
		assertThat(get("/settle")).isEqualTo("settled on settlement")
	}

	@Test
	fun `a keyed suspend method runs on the key's loop and resumes there`(): Unit = bounded {
		val elsewhere = CompletableDeferred<Unit>()
		val loops = async { ledger.loopsSeen("bob", elsewhere) }
		Thread { elsewhere.complete(Unit) }.start() // resumed from a thread that is no loop
		val owner = ledgerLoops.forKey("bob").name()
		assertThat(loops.await()).containsExactly(owner, owner)
		assertThat(currentLoop()).isEqualTo("none")
	}

	@Test
	fun `a suspend method awaits a reactive client without holding the loop and resumes on it`(): Unit = bounded {
		val owner = ledgerLoops.forKey("hal").name()
		assertThat(ledger.quote("hal")).isEqualTo("hal at 42 on $owner then $owner")
	}

	@Test
	fun `a suspend method without a key runs on its loop and the caller resumes in its own context`(): Unit =
		bounded {
			val resumedOn = withContext(ledgerLoops.forKey("carol").asCoroutineDispatcher()) {
				assertThat(ledger.settle()).isEqualTo("settlement")
				currentLoop()
			}
			assertThat(resumedOn).isEqualTo(ledgerLoops.forKey("carol").name())
		}

	@Test
	fun `a caller already on the key's loop runs the suspend method inline`(): Unit = bounded {
		val owner = ledgerLoops.forKey("dave")
		val submittedBefore = owner.stats().tasks().submitted()
		val balance = withContext(owner.asCoroutineDispatcher()) {
			val submittedInside = owner.stats().tasks().submitted()
			val balance = ledger.deposit("dave", 3)
			assertThat(currentLoop()).isEqualTo(owner.name())
			balance to submittedInside
		}
		assertThat(balance.first).isEqualTo(3)
		// the body's one yield is the only task it queues on the loop
		assertThat(owner.stats().tasks().submitted() - balance.second).isEqualTo(1)
		assertThat(balance.second - submittedBefore).isEqualTo(1) // withContext's own hop
	}

	@Test
	fun `sequential suspend calls of one key wait until the previous call returns`(): Unit = bounded {
		// started at once: the test thread then waits outside the coroutines
		val first = async(start = CoroutineStart.UNDISPATCHED) { ledger.transfer("erin", 1) }
		await().atMost(Duration.ofSeconds(10)).until { ledger.events.contains("start 1") }
		val second = async(start = CoroutineStart.UNDISPATCHED) { ledger.transfer("erin", 2) }
		val other = async(start = CoroutineStart.UNDISPATCHED) { ledger.transfer("frank", 3) }
		assertThat(other.await()).isEqualTo(3) // another key is not held up
		assertThat(ledger.events).doesNotContain("start 2")
		ledger.gate.complete(Unit)
		assertThat(first.await()).isEqualTo(1)
		assertThat(second.await()).isEqualTo(2)
		assertThat(ledger.events.filter { !it.endsWith("3") }).containsExactly("start 1", "end 1", "start 2", "end 2")
	}

	@Test
	fun `an exception thrown after a suspension reaches the caller as it was thrown`(): Unit = bounded {
		val failure = runCatching { ledger.fail("gus") }.exceptionOrNull()
		assertThat(failure).isInstanceOf(IllegalArgumentException::class.java).hasMessage("no account gus")
	}

	@Test
	fun `cancelling the caller cancels the suspend method on its loop`(): Unit = bounded {
		val call = async(start = CoroutineStart.UNDISPATCHED) { ledger.waitForever() }
		await().atMost(Duration.ofSeconds(10)).until { ledger.events.contains("waiting on settlement") }
		call.cancel()
		await().atMost(Duration.ofSeconds(10)).until { ledger.events.contains("cancelled on settlement") }
		assertThat(call.isCancelled).isTrue()
	}

	@Test
	fun `the caller's trace id reaches the suspend method on the loop and stays there`(): Unit = bounded {
		MDC.put("traceId", "t-1")
		assertThat(ledger.traceId()).isEqualTo("t-1/t-1 on settlement")
		MDC.put("traceId", "t-2")
		assertThat(ledger.traceId()).isEqualTo("t-2/t-2 on settlement")
		MDC.clear()
		// nothing left on the loop thread for the next task
		assertThat(settlement.submit { MDC.get("traceId") }.join()).isNull()
		assertThat(ledger.traceId()).isEqualTo("null/null on settlement")
	}

	@Test
	fun `an offloaded suspend method runs off the loops and the caller resumes on its loop`(): Unit = bounded {
		val (report, resumedOn) = withContext(settlement.asCoroutineDispatcher()) {
			ledger.report() to currentLoop()
		}
		assertThat(report).startsWith("eventloop-offload-").endsWith(" on none")
		assertThat(resumedOn).isEqualTo("settlement")
	}

	@Test
	fun `a suspend method delays on its loop's timers`(): Unit = bounded {
		val slept = withContext(settlement.asCoroutineDispatcher()) {
			delay(1)
			currentLoop()
		}
		assertThat(slept).isEqualTo("settlement")
	}

	private fun post(path: String): String =
		send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()))

	private fun get(path: String): String = send(HttpRequest.newBuilder(uri(path)).GET())

	private fun uri(path: String) = URI.create("http://localhost:$port$path")

	private fun send(request: HttpRequest.Builder): String {
		val response = http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString())
		assertThat(response.statusCode()).`as`(response.body()).isEqualTo(200)
		return response.body()
	}

	/**
	 * Run a test body as kotlinx-coroutines-test's `runTest` does: its own coroutines on the
	 * test's virtual time, the suspend methods on the loops' own (real) timers, the whole
	 * bounded by the test's timeout.
	 */
	private fun bounded(body: suspend TestScope.() -> Unit) = runTest(timeout = 10.seconds) { body() }

	companion object {

		private val http: HttpClient = HttpClient.newHttpClient()

		@JvmStatic
		@BeforeAll
		fun registerMdcAccessor() {
			// what an application does to carry its own MDC keys (tracing registers its own)
			ContextRegistry.getInstance().registerThreadLocalAccessor(Slf4jThreadLocalAccessor("traceId"))
		}

		@JvmStatic
		@AfterAll
		fun removeMdcAccessor() {
			ContextRegistry.getInstance().removeThreadLocalAccessor(Slf4jThreadLocalAccessor.KEY)
		}

	}

}
