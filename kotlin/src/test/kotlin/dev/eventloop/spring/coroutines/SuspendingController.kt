package dev.eventloop.spring.coroutines

import org.springframework.web.bind.annotation.GetMapping
import org.springframework.web.bind.annotation.PathVariable
import org.springframework.web.bind.annotation.PostMapping
import org.springframework.web.bind.annotation.RequestParam
import org.springframework.web.bind.annotation.RestController

/** A `suspend` controller that awaits suspend methods on loops. */
@RestController
class SuspendingController(private val ledger: SuspendingLedger) {

	@PostMapping("/accounts/{id}/deposits")
	suspend fun deposit(@PathVariable id: String, @RequestParam amount: Long): String =
		"$id has ${ledger.deposit(id, amount)}"

	@GetMapping("/settle")
	suspend fun settle(): String = "settled on ${ledger.settle()}"

}
