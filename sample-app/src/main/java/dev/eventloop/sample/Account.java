package dev.eventloop.sample;

import java.math.BigDecimal;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * One account's state. Every instance is owned by exactly one loop of the {@code ledger}
 * group (the loop its id maps to) and is only read and written on that loop's thread, so
 * it needs no locks and no volatile fields.
 */
final class Account {

	private static final int RECENT_POSTINGS = 10;

	private final String id;

	// owned by the account's ledger loop
	private BigDecimal balance = BigDecimal.ZERO.setScale(2);

	// owned by the account's ledger loop
	private long postings;

	// owned by the account's ledger loop: hash chain over every posting, an audit trail
	private byte[] journalHash = new byte[32];

	// owned by the account's ledger loop
	private final ArrayDeque<Posting> recent = new ArrayDeque<>();

	Account(String id) {
		this.id = id;
	}

	String id() {
		return this.id;
	}

	BigDecimal balance() {
		return this.balance;
	}

	long postings() {
		return this.postings;
	}

	void post(String type, BigDecimal signedAmount, MessageDigest digest, int auditRounds) {
		this.balance = this.balance.add(signedAmount);
		this.postings++;
		Posting posting = new Posting(this.postings, type, signedAmount, this.balance, Instant.now());
		this.journalHash = chain(this.journalHash, posting, digest, auditRounds);
		this.recent.addFirst(posting);
		if (this.recent.size() > RECENT_POSTINGS) {
			this.recent.removeLast();
		}
	}

	private static byte[] chain(byte[] previous, Posting posting, MessageDigest digest, int rounds) {
		byte[] hash = previous;
		byte[] entry = posting.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
		for (int i = 0; i < Math.max(1, rounds); i++) {
			digest.update(hash);
			digest.update(entry);
			hash = digest.digest();
		}
		return hash;
	}

	List<Posting> recentPostings() {
		return new ArrayList<>(this.recent);
	}

	AccountView view(String loop) {
		return new AccountView(this.id, this.balance, this.postings, HexFormat.of().formatHex(this.journalHash, 0, 8),
				loop);
	}

}
