package dev.eventloop.spring.coroutines

import org.springframework.boot.autoconfigure.SpringBootApplication

/** The application of the Spring tests: the ledger and its controller. */
@SpringBootApplication
class SuspendingApplication
