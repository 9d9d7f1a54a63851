package dev.eventloop.sample;

import java.math.BigDecimal;

/**
 * An account as returned by the API: an immutable copy taken on the account's loop.
 *
 * @param id account id
 * @param balance balance now
 * @param postings number of postings so far
 * @param journalHash first bytes of the account's journal hash chain
 * @param loop the event loop that owns the account
 */
public record AccountView(String id, BigDecimal balance, long postings, String journalHash, String loop) {
}
