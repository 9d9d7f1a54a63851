package dev.eventloop.sample;

import java.util.List;

/**
 * Source of archived statement lines: a blocking call to slow storage, which must never
 * run on an event loop.
 */
public interface StatementArchive {

	/**
	 * Fetch the archived lines of an account; blocks for as long as the storage takes.
	 */
	List<String> fetch(String accountId) throws Exception;

}
