package io.varve.storage.index;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * The sparse time index of one log segment, file {@code <20-digit base offset>.timeindex}: it maps the
 * largest timestamp seen so far to the offset where it was seen, so ListOffsets by timestamp and time-based
 * retention find their place without scanning the log. Byte-for-byte Apache Kafka's format, which Kafka's
 * {@code kafka-dump-log} reads.
 *
 * <pre>
 * entry (12 bytes, big-endian), timestamps strictly increasing, offsets non-decreasing:
 *   +-------------------------------------+---------------------------+
 *   | timestamp : int64                   | relative offset : int32   |
 *   | (largest timestamp so far, ms)      | (offset - baseOffset)     |
 *   +-------------------------------------+---------------------------+
 *
 * file: entry 0 | entry 1 | ... | entry n-1 | zero-filled preallocation (active segment only)
 * </pre>
 *
 * <p>Kafka reserves the last slot for the entry the segment writes when it rolls or closes: {@link #isFull()}
 * is already true with one slot left, and only {@link #maybeAppend(long, long, boolean)} with
 * {@code skipFullCheck} may fill it. Mapping, preallocation, trimming and lifecycle are described in
 * {@link AbstractIndex}.
 *
 * <p>Not thread-safe: confined by contract to the actor that owns the partition's log.
 */
public final class TimeIndex extends AbstractIndex {
    /** Bytes per entry. */
    public static final int ENTRY_SIZE = 12;

    /**
     * Opens (or creates, when writable) the time index in {@code file}.
     *
     * @param maxIndexSizeBytes the size a writable index is preallocated to, rounded down to whole entries
     * @param writable whether entries can be appended or removed; a read-only index maps the file as it is
     */
    public TimeIndex(Path file, long baseOffset, int maxIndexSizeBytes, boolean writable) throws IOException {
        super(file, baseOffset, maxIndexSizeBytes, writable, ENTRY_SIZE);
    }

    /** Same as {@code maybeAppend(timestamp, offset, false)}. */
    public void maybeAppend(long timestamp, long offset) {
        maybeAppend(timestamp, offset, false);
    }

    /**
     * Appends {@code (timestamp, offset)} if {@code timestamp} is above the last entry's timestamp; an equal or
     * lower timestamp is skipped silently, as is {@link RecordBatch#NO_TIMESTAMP} on an empty index.
     *
     * @param skipFullCheck true only for the entry written when the segment rolls or closes, which may take
     *     the slot reserved for it
     * @throws InvalidOffsetException if {@code offset} is below the last entry's offset or does not fit
     *     relative to the base offset
     * @throws IllegalStateException if the index is full
     */
    public void maybeAppend(long timestamp, long offset, boolean skipFullCheck) {
        ensureWritable();
        if (!skipFullCheck && isFull()) {
            throw new IllegalStateException("Cannot append to time index " + file() + ": it is full with " + entries()
                    + " entries (one slot is kept for the roll)");
        }
        TimestampOffset last = lastEntry();
        if (entries() > 0 && offset < last.offset()) {
            throw new InvalidOffsetException("Cannot append offset " + offset + " to time index " + file()
                    + ": it is below the last offset " + last.offset());
        }
        if (timestamp <= last.timestamp()) {
            return;
        }
        if (entries() >= maxEntries()) {
            throw new IllegalStateException(
                    "Cannot append to time index " + file() + ": all " + maxEntries() + " slots are used");
        }
        int slotPosition = slotPosition(entries());
        mmap().putLong(slotPosition, timestamp);
        mmap().putInt(slotPosition + 8, relativeOffset(offset));
        incrementEntries();
    }

    /**
     * Finds the entry with the largest timestamp at or below {@code targetTimestamp}.
     *
     * @return that entry, or {@code (NO_TIMESTAMP, baseOffset)} if every entry is above the target or the
     *     index is empty
     */
    public TimestampOffset lookup(long targetTimestamp) {
        int slot = largestSlotWithKeyAtMost(targetTimestamp, this::timestampAt);
        return slot < 0 ? new TimestampOffset(RecordBatch.NO_TIMESTAMP, baseOffset()) : entryAt(slot);
    }

    /** The {@code n}-th entry, counting from 0. */
    public TimestampOffset entry(int n) {
        checkSlot(n);
        return entryAt(n);
    }

    /** The last entry, or {@code (NO_TIMESTAMP, baseOffset)} if the index is empty. */
    public TimestampOffset lastEntry() {
        return entries() == 0 ? new TimestampOffset(RecordBatch.NO_TIMESTAMP, baseOffset()) : entryAt(entries() - 1);
    }

    /** Kafka keeps the last slot for the entry appended when the segment rolls (see the class comment). */
    @Override
    public boolean isFull() {
        return entries() >= maxEntries() - 1;
    }

    @Override
    long offsetAt(int slot) {
        return baseOffset() + mmap().getInt(slotPosition(slot) + 8);
    }

    @Override
    void checkEntryOrder() {
        // Timestamps strictly increase, so a last timestamp not above the first one means slots that were
        // never written, i.e. a preallocated file that a crash left untrimmed.
        if (entries() > 1 && timestampAt(entries() - 1) <= timestampAt(0)) {
            throw new CorruptIndexException("Time index " + file() + " is corrupt: its last timestamp "
                    + timestampAt(entries() - 1) + " is not above its first timestamp " + timestampAt(0) + " across "
                    + entries() + " entries");
        }
    }

    private long timestampAt(int slot) {
        return mmap().getLong(slotPosition(slot));
    }

    private TimestampOffset entryAt(int slot) {
        return new TimestampOffset(timestampAt(slot), offsetAt(slot));
    }
}
