package dev.eventloop.sample;

import java.net.URI;

import dev.eventloop.BlockingOnLoopException;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Turns the sample's exceptions into RFC 9457 problem details.
 */
@RestControllerAdvice
class ProblemHandler {

	@ExceptionHandler
	ProblemDetail invalidInput(InvalidInputException ex) {
		ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, "invalid-input", "Invalid input", ex.getMessage());
		problem.setProperty("field", ex.getField());
		problem.setProperty("rejectedValue", ex.getRejectedValue());
		return problem;
	}

	@ExceptionHandler
	ProblemDetail unknownAccount(UnknownAccountException ex) {
		return problem(HttpStatus.NOT_FOUND, "unknown-account", "Unknown account", ex.getMessage());
	}

	@ExceptionHandler
	ProblemDetail insufficientFunds(InsufficientFundsException ex) {
		return problem(HttpStatus.UNPROCESSABLE_CONTENT, "insufficient-funds", "Insufficient funds", ex.getMessage());
	}

	@ExceptionHandler
	ProblemDetail demoBusy(DemoBusyException ex) {
		ProblemDetail problem = problem(HttpStatus.CONFLICT, "demo-busy", "Demo control busy", ex.getMessage());
		problem.setProperty("control", ex.getControl());
		return problem;
	}

	@ExceptionHandler
	ProblemDetail blockingOnLoop(BlockingOnLoopException ex) {
		ProblemDetail problem = problem(HttpStatus.CONFLICT, "blocking-on-loop", "Refused to block an event loop",
				ex.getMessage());
		problem.setProperty("loop", ex.getLoopName());
		return problem;
	}

	private static ProblemDetail problem(HttpStatus status, String type, String title, String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setType(URI.create("urn:eventloop-sample:problem:" + type));
		problem.setTitle(title);
		return problem;
	}

}
