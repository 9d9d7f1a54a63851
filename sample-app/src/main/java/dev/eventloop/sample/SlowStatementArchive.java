package dev.eventloop.sample;

import java.time.Duration;
import java.util.List;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * A {@link StatementArchive} that simulates slow remote storage by blocking for a fixed
 * latency ({@code sample.archive.latency}).
 */
@Component
class SlowStatementArchive implements StatementArchive {

	private final Duration latency;

	SlowStatementArchive(@Value("${sample.archive.latency:400ms}") Duration latency) {
		this.latency = latency;
	}

	@Override
	public List<String> fetch(String accountId) throws InterruptedException {
		Thread.sleep(this.latency.toMillis());
		return List.of("opening balance carried forward for " + accountId,
				"archive read in " + this.latency.toMillis() + " ms");
	}

}
