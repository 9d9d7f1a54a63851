package dev.eventloop.benchmarks.coroutines

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.coroutines.yield

/**
 * The coroutine workloads the benchmarks time, each run from the benchmark thread and
 * waited for with `runBlocking`, so that one invocation is many operations.
 */
object Workloads {

	/**
	 * Ping-pong between two single-threaded dispatchers: one coroutine hops to [away] and
	 * back to [home], [ops] times. One operation is one round trip (two resumptions, each
	 * on the other thread).
	 */
	@JvmStatic
	fun pingPong(home: CoroutineDispatcher, away: CoroutineDispatcher, ops: Int): Int = runBlocking(home) {
		var count = 0
		repeat(ops) {
			count += withContext(away) { 1 }
		}
		count
	}

	/**
	 * A chain of `suspend` calls on one dispatcher, the innermost yielding, [ops] times:
	 * one operation is one suspension and one resumption on the same thread.
	 */
	@JvmStatic
	fun suspendChain(dispatcher: CoroutineDispatcher, ops: Int): Int = runBlocking(dispatcher) {
		var sum = 0
		repeat(ops) {
			sum += outer(it)
		}
		sum
	}

	/**
	 * Two coroutines on one dispatcher hand [ops] values over a rendezvous channel: one
	 * operation is one resumption of a coroutine by another on the same thread.
	 */
	@JvmStatic
	fun handOff(dispatcher: CoroutineDispatcher, ops: Int): Int = runBlocking(dispatcher) {
		val channel = Channel<Int>()
		var sum = 0
		val receiver = launch {
			repeat(ops) {
				sum += channel.receive()
			}
		}
		repeat(ops) {
			channel.send(1)
		}
		receiver.join()
		sum
	}

	private suspend fun outer(value: Int): Int = middle(value) + 1

	private suspend fun middle(value: Int): Int = inner(value) + 1

	private suspend fun inner(value: Int): Int {
		yield()
		return value and 1
	}

}
