package io.varve.storage.index;

import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The sparse offset index of one log segment, file {@code <20-digit base offset>.index}: it maps some offsets
 * of the segment to the byte position of their batch in the segment's {@code .log} file, so a read seeks to
 * the nearest indexed batch at or below the wanted offset and scans forward from there. Byte-for-byte
 * Apache Kafka's format, which Kafka's {@code kafka-dump-log} reads.
 *
 * <pre>
 * entry (8 bytes, big-endian), one per indexed batch, offsets strictly increasing:
 *   +---------------------------+---------------------------+
 *   | relative offset : int32   | position : int32          |
 *   | (offset - baseOffset)     | (byte offset in the .log) |
 *   +---------------------------+---------------------------+
 *
 * file: entry 0 | entry 1 | ... | entry n-1 | zero-filled preallocation (active segment only)
 * </pre>
 *
 * <p>The owner (the segment) appends an entry every {@code index.interval.bytes} of log data. Mapping,
 * preallocation, trimming and lifecycle are described in {@link AbstractIndex}.
 *
 * <p>Not thread-safe: confined by contract to the actor that owns the partition's log.
 */
public final class OffsetIndex extends AbstractIndex {
    /** Bytes per entry. */
    public static final int ENTRY_SIZE = 8;

    /**
     * Opens (or creates, when writable) the offset index in {@code file}.
     *
     * @param maxIndexSizeBytes the size a writable index is preallocated to, rounded down to whole entries
     * @param writable whether entries can be appended or removed; a read-only index maps the file as it is
     */
    public OffsetIndex(Path file, long baseOffset, int maxIndexSizeBytes, boolean writable) throws IOException {
        super(file, baseOffset, maxIndexSizeBytes, writable, ENTRY_SIZE);
    }

    /**
     * Appends an entry saying the batch holding {@code offset} starts at {@code position} of the log file.
     *
     * @throws InvalidOffsetException if {@code offset} is not above the last entry's offset or does not fit
     *     relative to the base offset
     * @throws IllegalStateException if the index is full
     */
    public void append(long offset, int position) {
        ensureWritable();
        if (isFull()) {
            throw new IllegalStateException("Cannot append offset " + offset + " to offset index " + file()
                    + ": it is full with " + entries() + " entries");
        }
        if (entries() > 0 && offset <= lastOffset()) {
            throw new InvalidOffsetException("Cannot append offset " + offset + " to offset index " + file()
                    + ": it is not above the last offset " + lastOffset());
        }
        if (position < 0) {
            throw new IllegalArgumentException("Negative position " + position + " for offset " + offset);
        }
        int slotPosition = slotPosition(entries());
        mmap().putInt(slotPosition, relativeOffset(offset));
        mmap().putInt(slotPosition + 4, position);
        incrementEntries();
    }

    /**
     * Finds the entry with the largest offset at or below {@code targetOffset}.
     *
     * @return that entry, or {@code (baseOffset, 0)} (the start of the segment) if every entry is above the
     *     target or the index is empty
     */
    public OffsetPosition lookup(long targetOffset) {
        int slot = largestSlotWithKeyAtMost(targetOffset, this::offsetAt);
        return slot < 0 ? new OffsetPosition(baseOffset(), 0) : entryAt(slot);
    }

    /**
     * The offset of the first entry whose batch starts at or after {@code position}: an upper bound, from
     * the index alone, for the offsets of a read that ended at {@code position} (Kafka's fetch upper bound
     * for aborted transactions). Empty when no entry lies there.
     */
    public OptionalLong firstOffsetAtOrAfter(int position) {
        int next = largestSlotWithKeyAtMost(position - 1L, this::positionAt) + 1;
        return next < entries() ? OptionalLong.of(offsetAt(next)) : OptionalLong.empty();
    }

    /** The {@code n}-th entry, counting from 0. */
    public OffsetPosition entry(int n) {
        checkSlot(n);
        return entryAt(n);
    }

    /** The offset of the last entry, or the base offset if the index is empty. */
    public long lastOffset() {
        return entries() == 0 ? baseOffset() : offsetAt(entries() - 1);
    }

    @Override
    long offsetAt(int slot) {
        return baseOffset() + mmap().getInt(slotPosition(slot));
    }

    @Override
    void checkEntryOrder() {
        // Offsets strictly increase, so a last entry not above the first one means slots that were never
        // written, i.e. a preallocated file that a crash left untrimmed.
        if (entries() > 1 && lastOffset() <= offsetAt(0)) {
            throw new CorruptIndexException("Offset index " + file() + " is corrupt: its last offset " + lastOffset()
                    + " is not above its first offset " + offsetAt(0) + " across " + entries() + " entries");
        }
    }

    private long positionAt(int slot) {
        return mmap().getInt(slotPosition(slot) + 4);
    }

    private OffsetPosition entryAt(int slot) {
        return new OffsetPosition(offsetAt(slot), mmap().getInt(slotPosition(slot) + 4));
    }
}
