/**
 * Sample application: a per-account ledger whose accounts are confined to the loops of
 * the {@code ledger} group, a periodic settlement on its own loop, slow I/O offloaded off
 * the loops, and a live page of loop health.
 */
@NullMarked
package dev.eventloop.sample;

import org.jspecify.annotations.NullMarked;
