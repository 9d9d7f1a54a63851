package dev.eventloop.sample;

import java.math.BigDecimal;

/**
 * Result of a transfer.
 *
 * @param amount amount moved
 * @param from source account after the withdrawal
 * @param to target account after the deposit
 */
public record TransferView(BigDecimal amount, AccountView from, AccountView to) {
}
