package dev.eventloop.sample;

import java.math.BigDecimal;
import java.util.List;

/**
 * An account statement: recent postings from the ledger and older lines from the slow
 * archive, with the threads that did each part.
 *
 * @param accountId account id
 * @param balance balance when the statement was completed
 * @param recent most recent postings, newest first
 * @param archived older lines fetched from the archive
 * @param loop the ledger loop that owns the account
 * @param ioThread the thread that made the blocking archive call (never a loop)
 * @param completedOn the thread that completed the statement (the account's loop)
 * @param tasksRunMeanwhile tasks the account's loop completed while the archive call
 * waited: the loop was not blocked by it
 */
public record Statement(String accountId, BigDecimal balance, List<Posting> recent, List<String> archived, String loop,
		String ioThread, String completedOn, long tasksRunMeanwhile) {
}
