package dev.eventloop.spring.kafka;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;

/**
 * The offsets beyond a partition's commit point whose records have completed, written
 * into the commit's metadata so that the consumer that takes the partition over skips
 * them.
 * <p>
 * Format: {@code el1:} followed by base64url (unpadded) varints: alternating run lengths
 * starting at the committed offset, first a run of offsets not completed (at least one:
 * the record at the commit point), then a run of completed offsets, and so on. A few
 * records stuck among thousands completed take a few bytes; offsets completed and not
 * completed in strict alternation take about 2 bytes per record.
 */
final class CompletedOffsets {

	static final String PREFIX = "el1:";

	/**
	 * The broker's default {@code offset.metadata.max.bytes}: longer metadata fails the
	 * commit.
	 */
	static final int MAX_METADATA_LENGTH = 4096;

	private CompletedOffsets() {
	}

	/**
	 * Encode the completed offsets above {@code committed}.
	 * @param committed the offset committed (its record has not completed)
	 * @param notCompleted ranges of offsets, start to end (exclusive), whose records have
	 * not completed, ascending and apart, the first starting at {@code committed}; every
	 * other offset below {@code end} has completed
	 * @param end the offset after the last completed one
	 * @return the metadata, empty when nothing beyond the commit point has completed, or
	 * {@code null} when it would not fit into {@link #MAX_METADATA_LENGTH}
	 */
	static @Nullable String encode(long committed, List<long[]> notCompleted, long end) {
		if (end <= committed + 1 || notCompleted.isEmpty()) {
			return "";
		}
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (int i = 0; i < notCompleted.size(); i++) {
			long[] run = notCompleted.get(i);
			if (run[0] >= end) {
				break;
			}
			long completedUntil = (i + 1 < notCompleted.size()) ? Math.min(notCompleted.get(i + 1)[0], end) : end;
			writeVarint(out, run[1] - run[0]);
			writeVarint(out, Math.max(0, completedUntil - run[1]));
			if (out.size() * 4 / 3 + PREFIX.length() > MAX_METADATA_LENGTH) {
				return null;
			}
		}
		return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(out.toByteArray());
	}

	/**
	 * Decode the completed offsets of a commit.
	 * @param committed the committed offset
	 * @param metadata the commit's metadata
	 * @return completed ranges, start to end (exclusive); empty for metadata not written
	 * by the starter or not readable
	 */
	static NavigableMap<Long, Long> decode(long committed, @Nullable String metadata) {
		NavigableMap<Long, Long> ranges = new TreeMap<>();
		if (metadata == null || !metadata.startsWith(PREFIX)) {
			return ranges;
		}
		try {
			ByteBuffer in = ByteBuffer.wrap(Base64.getUrlDecoder().decode(metadata.substring(PREFIX.length())));
			long cursor = committed;
			while (in.hasRemaining()) {
				cursor += readVarint(in);
				long completed = readVarint(in);
				if (completed > 0) {
					ranges.put(cursor, cursor + completed);
				}
				cursor += completed;
			}
			return ranges;
		}
		catch (IllegalArgumentException | java.nio.BufferUnderflowException ex) {
			return new TreeMap<>();
		}
	}

	/**
	 * Whether an offset lies in one of the ranges.
	 */
	static boolean contains(NavigableMap<Long, Long> ranges, long offset) {
		var range = ranges.floorEntry(offset);
		return range != null && offset < range.getValue();
	}

	private static void writeVarint(ByteArrayOutputStream out, long value) {
		long remaining = value;
		while ((remaining & ~0x7FL) != 0) {
			out.write((int) ((remaining & 0x7F) | 0x80));
			remaining >>>= 7;
		}
		out.write((int) remaining);
	}

	private static long readVarint(ByteBuffer in) {
		long value = 0;
		int shift = 0;
		while (true) {
			byte b = in.get();
			value |= (long) (b & 0x7F) << shift;
			if ((b & 0x80) == 0) {
				return value;
			}
			shift += 7;
			if (shift > 63) {
				throw new IllegalArgumentException("Varint too long");
			}
		}
	}

}
