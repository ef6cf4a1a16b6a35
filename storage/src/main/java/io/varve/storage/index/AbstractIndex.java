package io.varve.storage.index;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel.MapMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntToLongFunction;
import org.apache.kafka.common.utils.Utils;

/**
 * The memory-mapped machinery shared by {@link OffsetIndex} and {@link TimeIndex}: a file of fixed-size,
 * big-endian entries sorted by offset, preallocated to the maximum index size while the segment is active
 * and trimmed to its valid entries when the segment rolls or closes.
 *
 * <pre>
 * slot     0           1                 entries-1                     maxEntries-1
 *        +-----------+-----------+ ... +-----------+--------- ... ---+-----------+
 *        |  entry 0  |  entry 1  |     |  last     |  preallocated, unused     |
 *        +-----------+-----------+ ... +-----------+--------- ... ---+-----------+
 *        0           entrySize         sizeInBytes()                  file length
 * </pre>
 *
 * <p>Like Kafka, the file carries no entry count and no checksum: on open every whole slot up to the file
 * length counts as an entry. A file that was preallocated and never trimmed (a crash of the active segment)
 * therefore reopens full of zero entries; {@link #sanityCheck()} reports that as corruption, and the owner
 * rebuilds the index from the log.
 *
 * <p>Lifecycle: the constructor maps the file (creating and preallocating it when it is new or empty and
 * writable, growing an existing writable file back to the maximum size so it can take appends); appends and
 * truncations go to the mapping; {@link #flush()} forces it to disk; {@link #close()} trims the file to its
 * valid size. No file handle stays open between calls; the mapping itself is released by the garbage
 * collector once dropped. Any use after {@link #close()} or {@link #deleteIfExists()} throws
 * {@link IllegalStateException}.
 *
 * <p>Not thread-safe: confined by contract to the actor that owns the partition's log.
 */
abstract class AbstractIndex {
    /**
     * Lookups near the tail (in-sync followers and consumers) search only the last 8 KiB of entries first, so
     * the few pages they touch stay in the page cache. Kafka does the same (KAFKA-6432).
     */
    private static final int WARM_SECTION_BYTES = 8192;

    private final long baseOffset;
    private final int maxIndexSizeBytes;
    private final boolean writable;
    private final int entrySize;
    private Path file;
    private MappedByteBuffer mmap;
    private int entries;
    private int maxEntries;

    AbstractIndex(Path file, long baseOffset, int maxIndexSizeBytes, boolean writable, int entrySize)
            throws IOException {
        this.file = file;
        this.baseOffset = baseOffset;
        this.maxIndexSizeBytes = maxIndexSizeBytes;
        this.writable = writable;
        this.entrySize = entrySize;
        long length = Files.exists(file) ? Files.size(file) : 0L;
        if (length > Integer.MAX_VALUE) {
            throw new CorruptIndexException(
                    "Index file " + file + " has " + length + " bytes, more than an index can hold");
        }
        this.entries = (int) (length / entrySize);
        map(openLength(length));
    }

    private long openLength(long length) {
        if (!writable) {
            return length;
        }
        if (length == 0) {
            if (maxIndexSizeBytes < entrySize) {
                throw new IllegalArgumentException("Maximum index size " + maxIndexSizeBytes + " of " + file
                        + " cannot hold one entry of " + entrySize + " bytes");
            }
            return roundDownToEntries(maxIndexSizeBytes);
        }
        if (length % entrySize != 0) {
            // A torn length is left as found so sanityCheck() reports it.
            return length;
        }
        return Math.max(length, roundDownToEntries(maxIndexSizeBytes));
    }

    private void map(long length) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), writable ? "rw" : "r")) {
            if (writable && raf.length() != length) {
                raf.setLength(length);
            }
            mmap = raf.getChannel().map(writable ? MapMode.READ_WRITE : MapMode.READ_ONLY, 0, length);
            maxEntries = (int) (length / entrySize);
        }
    }

    /** The absolute offset stored in the given slot. */
    abstract long offsetAt(int slot);

    /** Checks the ordering of the entries this index keeps; the length and base offset are checked already. */
    abstract void checkEntryOrder();

    /**
     * Checks the index for obvious corruption: a length that is not a whole number of entries, a last offset
     * below the base offset, or entries out of order (which includes an untrimmed, preallocated file).
     *
     * @throws CorruptIndexException if any is found
     */
    public void sanityCheck() {
        int length = mmap().capacity();
        if (length % entrySize != 0) {
            throw new CorruptIndexException("Index file " + file + " is corrupt: its length " + length
                    + " is not a multiple of the entry size " + entrySize);
        }
        if (entries > 0 && offsetAt(entries - 1) < baseOffset) {
            throw new CorruptIndexException("Index file " + file + " is corrupt: its last offset "
                    + offsetAt(entries - 1) + " is below its base offset " + baseOffset);
        }
        checkEntryOrder();
    }

    /**
     * Removes every entry whose offset is at or above {@code offset}; an offset above the last entry changes
     * nothing.
     */
    public void truncateTo(long offset) {
        ensureWritable();
        int low = 0;
        int high = entries;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (offsetAt(mid) < offset) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        entries = low;
    }

    /** Removes all entries and grows the file back to the maximum index size. */
    public void reset() throws IOException {
        ensureWritable();
        entries = 0;
        resize(maxIndexSizeBytes);
    }

    /**
     * Resizes the file and its mapping to {@code newSizeBytes} rounded down to a whole number of entries. Used
     * to trim on roll and close, and to grow a segment's index again when it becomes the active one.
     *
     * @return whether the size changed
     * @throws IllegalArgumentException if the new size would cut off valid entries
     */
    public boolean resize(int newSizeBytes) throws IOException {
        ensureWritable();
        if (newSizeBytes < 0) {
            throw new IllegalArgumentException("Cannot resize index " + file + " to " + newSizeBytes + " bytes");
        }
        int newLength = roundDownToEntries(newSizeBytes);
        if (newLength < sizeInBytes()) {
            throw new IllegalArgumentException("Cannot resize index " + file + " to " + newLength + " bytes: its "
                    + entries + " entries take " + sizeInBytes() + " bytes");
        }
        if (newLength == mmap().capacity()) {
            return false;
        }
        map(newLength);
        return true;
    }

    /** Shrinks the file to exactly its valid entries; a no-op for a read-only index. */
    public void trimToValidSize() throws IOException {
        if (writable) {
            resize((int) sizeInBytes());
        }
    }

    /** Forces the mapped entries to disk; a no-op for a read-only index. */
    public void flush() {
        if (writable) {
            mmap().force();
        }
    }

    /** Trims the file to its valid size, forces it to disk and drops the mapping. Calling it again is a no-op. */
    public void close() throws IOException {
        if (mmap == null) {
            return;
        }
        if (writable) {
            trimToValidSize();
            mmap.force();
        }
        mmap = null;
    }

    /**
     * Drops the mapping and deletes the file.
     *
     * @return whether a file was deleted
     */
    public boolean deleteIfExists() throws IOException {
        mmap = null;
        return Files.deleteIfExists(file);
    }

    /**
     * Renames the file (atomically where the file system allows), for example to mark a segment {@code .deleted}
     * or to swap in a cleaned segment. The index refers to {@code newFile} afterwards even if the move fails.
     */
    public void renameTo(Path newFile) throws IOException {
        try {
            Utils.atomicMoveWithFallback(file, newFile, false);
        } finally {
            file = newFile;
        }
    }

    /** Points the index at a file of the same name in {@code parentDir}, after its directory was moved. */
    public void updateParentDir(Path parentDir) {
        file = parentDir.resolve(file.getFileName());
    }

    /** Whether {@code offset} can be stored relative to this index's base offset, as a non-negative int. */
    public boolean canAppendOffset(long offset) {
        long relativeOffset = offset - baseOffset;
        return relativeOffset >= 0 && relativeOffset <= Integer.MAX_VALUE;
    }

    /** True when no more entries fit. */
    public boolean isFull() {
        return entries >= maxEntries;
    }

    public int entries() {
        return entries;
    }

    public int maxEntries() {
        return maxEntries;
    }

    public long baseOffset() {
        return baseOffset;
    }

    public int maxIndexSizeBytes() {
        return maxIndexSizeBytes;
    }

    public Path file() {
        return file;
    }

    /** The number of bytes the valid entries take. */
    public long sizeInBytes() {
        return (long) entries * entrySize;
    }

    final int relativeOffset(long offset) {
        if (!canAppendOffset(offset)) {
            throw new InvalidOffsetException("Offset " + offset + " cannot be stored relative to base offset "
                    + baseOffset + " in index " + file);
        }
        return (int) (offset - baseOffset);
    }

    /** The slot of the last entry whose key is at most {@code target}, or -1 if there is none. */
    final int largestSlotWithKeyAtMost(long target, IntToLongFunction keyAt) {
        if (entries == 0) {
            return -1;
        }
        int firstWarmSlot = Math.max(0, entries - 1 - WARM_SECTION_BYTES / entrySize);
        if (keyAt.applyAsLong(firstWarmSlot) <= target) {
            return lastSlotWithKeyAtMost(target, keyAt, firstWarmSlot, entries - 1);
        }
        return lastSlotWithKeyAtMost(target, keyAt, 0, firstWarmSlot - 1);
    }

    private static int lastSlotWithKeyAtMost(long target, IntToLongFunction keyAt, int low, int high) {
        int found = -1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            if (keyAt.applyAsLong(mid) <= target) {
                found = mid;
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return found;
    }

    final MappedByteBuffer mmap() {
        if (mmap == null) {
            throw new IllegalStateException("Index " + file + " is closed");
        }
        return mmap;
    }

    final void ensureWritable() {
        if (!writable) {
            throw new IllegalStateException("Index " + file + " was opened read-only");
        }
    }

    final void checkSlot(int n) {
        if (n < 0 || n >= entries) {
            throw new IllegalArgumentException(
                    "Slot " + n + " is outside index " + file + " of " + entries + " entries");
        }
    }

    /** Byte position of the given slot in the file. */
    final int slotPosition(int slot) {
        return slot * entrySize;
    }

    final void incrementEntries() {
        entries++;
    }

    private int roundDownToEntries(int sizeBytes) {
        return sizeBytes - sizeBytes % entrySize;
    }
}
