package dev.eventloop.spring.coroutines

import dev.eventloop.EventLoop
import dev.eventloop.spring.Offload
import dev.eventloop.spring.OnEventLoop
import java.time.Duration
import java.util.concurrent.ConcurrentLinkedQueue
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.awaitCancellation
import kotlinx.coroutines.reactor.awaitSingle
import kotlinx.coroutines.yield
import org.slf4j.MDC
import org.springframework.stereotype.Service
import reactor.core.publisher.Mono

/** The loop the caller runs on, by name, or "none". */
fun currentLoop(): String = EventLoop.current().map { it.name() }.orElse("none")

/** Suspend methods on loops, as an application writes them. */
@Service
class SuspendingLedger {

	private val balances = HashMap<String, Long>() // confined: each account lives on one loop

	/** What calls saw, in the order they saw it (any thread). */
	val events = ConcurrentLinkedQueue<String>()

	/** Completed by a test to let a call go on. */
	@Volatile
	var gate = CompletableDeferred<Unit>()

	@OnEventLoop("ledger", key = "#accountId")
	suspend fun deposit(accountId: String, amount: Long): Long {
		val before = currentLoop()
		yield() // a real suspension: the rest is a new task on the loop
		check(currentLoop() == before) { "resumed on ${currentLoop()}, not $before" }
		return balances.merge(accountId, amount, Long::plus)!!
	}

	@OnEventLoop("ledger", key = "#accountId")
	suspend fun loopsSeen(accountId: String, elsewhere: CompletableDeferred<Unit>): List<String> {
		val first = currentLoop()
		elsewhere.await()
		return listOf(first, currentLoop())
	}

	@OnEventLoop("settlement")
	suspend fun settle(): String {
		yield()
		return currentLoop()
	}

	@OnEventLoop("ledger", key = "#accountId", sequential = true)
	suspend fun transfer(accountId: String, id: Int): Int {
		events += "start $id"
		if (id == 1) {
			gate.await()
		}
		events += "end $id"
		return id
	}

	@OnEventLoop("ledger", key = "#accountId")
	suspend fun fail(accountId: String): Long {
		yield()
		throw IllegalArgumentException("no account $accountId")
	}

	@OnEventLoop("settlement")
	suspend fun waitForever() {
		try {
			events += "waiting on ${currentLoop()}"
			awaitCancellation()
		}
		finally {
			events += "cancelled on ${currentLoop()}"
		}
	}

	@OnEventLoop("settlement")
	suspend fun traceId(): String {
		val before = MDC.get("traceId")
		yield()
		return "$before/${MDC.get("traceId")} on ${currentLoop()}"
	}

	/** Awaits a reactive client's answer, which arrives on a Reactor timer thread. */
	@OnEventLoop("ledger", key = "#accountId")
	suspend fun quote(accountId: String): String {
		val before = currentLoop()
		val price = Mono.delay(Duration.ofMillis(1)).map { 42 }.awaitSingle()
		return "$accountId at $price on $before then ${currentLoop()}"
	}

	@Offload
	suspend fun report(): String {
		val thread = Thread.currentThread().name
		yield()
		return "$thread on ${currentLoop()}"
	}

}
