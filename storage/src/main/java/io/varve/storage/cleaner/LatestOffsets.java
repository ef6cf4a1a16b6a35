package io.varve.storage.cleaner;

import java.util.Arrays;

/**
 * Which offsets of a cleaning's dirty range hold the latest value of their key, one bit an offset, kept
 * by the offset-map pass as it goes: a put sets its offset's bit and clears the bit of the offset it
 * replaces ({@link KeyOffsetMap#put} returns it). When the pass ends, a mapped record is its key's latest
 * exactly when its bit is set, the same answer {@code offset >= map.get(key)} gives, so the rewrite pass
 * needs no second MD5 of its key, and a batch none of whose offsets is set can be dropped without reading
 * its records ({@link CleanerRecordFilter#dropsUnread}).
 *
 * <p>It covers {@code [firstOffset, firstOffset + bits)}, the dirty range or as much of it as the memory
 * given allows; offsets outside (the clean part, or past the cover) are looked up in the map as before.
 * Only mapped offsets may be asked about: a keyless record, a record of an aborted transaction or one past
 * the map's end has no bit of its own and must be decided before. Not thread-safe: one per cleaner thread,
 * reused across cleanings ({@link #reset}).
 */
final class LatestOffsets {
    private long[] words = new long[0];
    private long firstOffset;
    private long endOffset;

    /** Covers {@code span} offsets from {@code firstOffset}, at most {@code maxBits} of them; all clear. */
    void reset(long firstOffset, long span, long maxBits) {
        long bits = Math.max(0, Math.min(span, Math.min(maxBits, (long) (Integer.MAX_VALUE - 8) * 64)));
        int needed = (int) ((bits + 63) >>> 6);
        if (words.length < needed) {
            words = new long[needed];
        } else {
            Arrays.fill(words, 0, needed, 0L);
        }
        this.firstOffset = firstOffset;
        this.endOffset = firstOffset + bits;
    }

    /** Whether {@code offset} has a bit here. */
    boolean covers(long offset) {
        return offset >= firstOffset && offset < endOffset;
    }

    /** A key was put at {@code offset}, replacing its entry at {@code previous} (-1 when it was new). */
    void onPut(long offset, long previous) {
        if (previous >= 0 && covers(previous)) {
            long bit = previous - firstOffset;
            words[(int) (bit >>> 6)] &= ~(1L << bit);
        }
        if (covers(offset)) {
            long bit = offset - firstOffset;
            words[(int) (bit >>> 6)] |= 1L << bit;
        }
    }

    /** Whether the mapped record at {@code offset} (covered) holds its key's latest offset. */
    boolean isLatest(long offset) {
        long bit = offset - firstOffset;
        return (words[(int) (bit >>> 6)] & (1L << bit)) != 0;
    }

    /** Whether any offset in {@code [from, to]} (both covered) holds its key's latest offset. */
    boolean anyLatestIn(long from, long to) {
        long first = from - firstOffset;
        long last = to - firstOffset;
        int firstWord = (int) (first >>> 6);
        int lastWord = (int) (last >>> 6);
        long firstMask = -1L << first;
        long lastMask = -1L >>> (63 - (last & 63));
        if (firstWord == lastWord) {
            return (words[firstWord] & firstMask & lastMask) != 0;
        }
        if ((words[firstWord] & firstMask) != 0 || (words[lastWord] & lastMask) != 0) {
            return true;
        }
        for (int w = firstWord + 1; w < lastWord; w++) {
            if (words[w] != 0) {
                return true;
            }
        }
        return false;
    }

    /** Bytes held (kept between cleanings). */
    long memoryBytes() {
        return words.length * 8L;
    }
}
