package dev.eventloop.sample;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One entry of an account's journal.
 *
 * @param sequence position in the account's journal, from 1
 * @param type {@code deposit} or {@code withdrawal}
 * @param amount signed amount
 * @param balanceAfter balance once posted
 * @param at when it was posted
 */
public record Posting(long sequence, String type, BigDecimal amount, BigDecimal balanceAfter, Instant at) {
}
