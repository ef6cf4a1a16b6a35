package io.varve.storage.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.apache.kafka.common.utils.Utils;

/**
 * The aborted-transaction index of one log segment, file {@code <20-digit base offset>.txnindex}: one entry per
 * transaction whose abort marker was written in this segment, which READ_COMMITTED fetches use to tell the
 * consumer which records to drop. A transaction may start in an earlier segment. Byte-for-byte Apache Kafka's
 * format, which Kafka's {@code kafka-dump-log} reads.
 *
 * <pre>
 * entry (34 bytes, big-endian), lastOffset strictly increasing, no header, no preallocation:
 *   +-----------+-------------+-------------+------------+------------------+
 *   | version   | producerId  | firstOffset | lastOffset | lastStableOffset |
 *   | int16 = 0 | int64       | int64       | int64      | int64            |
 *   +-----------+-------------+-------------+------------+------------------+
 * </pre>
 *
 * <p>Unlike the offset and time indexes this file is appended to through a {@link FileChannel}, not mapped, and
 * is only created by the first append: most segments have no aborted transactions and no file. A crash can
 * leave a torn trailing entry; reads ignore it, {@link #append} refuses to write after it, and
 * {@link #sanityCheck()} reports it so the owner rebuilds the index.
 *
 * <p>Lifecycle: the channel is opened when the file exists or is first written and released by
 * {@link #close()}; a later call opens it again. Not thread-safe: confined by contract to the actor that owns
 * the partition's log.
 */
public final class TransactionIndex {
    /** Bytes per entry. */
    public static final int ENTRY_SIZE = 34;

    private static final short CURRENT_VERSION = 0;
    private static final int ENTRIES_PER_READ = 128;
    private static final int LAST_OFFSET_POSITION = 18;

    private final long startOffset;
    private Path file;
    private FileChannel channel;
    private OptionalLong lastOffset;

    /**
     * Opens the transaction index of the segment starting at {@code startOffset}; the file need not exist.
     */
    public TransactionIndex(long startOffset, Path file) throws IOException {
        this.startOffset = startOffset;
        this.file = file;
        this.lastOffset = readLastOffset();
    }

    /**
     * Appends an aborted transaction.
     *
     * @throws IllegalArgumentException if its {@code lastOffset} is not above the previous entry's, as Kafka
     *     requires
     * @throws CorruptIndexException if the file ends in a torn entry
     */
    public void append(AbortedTxn abortedTxn) throws IOException {
        if (lastOffset.isPresent() && abortedTxn.lastOffset() <= lastOffset.getAsLong()) {
            throw new IllegalArgumentException("Cannot append aborted transaction " + abortedTxn + " to " + file
                    + ": its last offset is not above the previous last offset " + lastOffset.getAsLong());
        }
        FileChannel channel = channel();
        long size = channel.size();
        if (size % ENTRY_SIZE != 0) {
            throw tornEntry(size);
        }
        ByteBuffer buffer = ByteBuffer.allocate(ENTRY_SIZE)
                .putShort(CURRENT_VERSION)
                .putLong(abortedTxn.producerId())
                .putLong(abortedTxn.firstOffset())
                .putLong(abortedTxn.lastOffset())
                .putLong(abortedTxn.lastStableOffset())
                .flip();
        long position = size;
        while (buffer.hasRemaining()) {
            position += channel.write(buffer, position);
        }
        lastOffset = OptionalLong.of(abortedTxn.lastOffset());
    }

    /** Every entry, in file order. */
    public List<AbortedTxn> allAbortedTxns() throws IOException {
        List<AbortedTxn> all = new ArrayList<>();
        forEachEntry((txn, position) -> {
            all.add(txn);
            return true;
        });
        return all;
    }

    /**
     * Collects the aborted transactions overlapping the fetch range {@code [fetchOffset, upperBoundOffset)}:
     * those with {@code lastOffset >= fetchOffset} and {@code firstOffset < upperBoundOffset}. As in Kafka, the
     * search is complete once an entry's {@code lastStableOffset >= upperBoundOffset}: every transaction aborted
     * later started at or after that last stable offset, hence after the range.
     */
    public TxnIndexSearchResult collectAbortedTxns(long fetchOffset, long upperBoundOffset) throws IOException {
        if (lastOffset.isEmpty()) {
            return new TxnIndexSearchResult(List.of(), false); // no entry: no file access at all
        }
        List<AbortedTxn> overlapping = new ArrayList<>();
        long stoppedAt = forEachEntry((txn, position) -> {
            if (txn.lastOffset() >= fetchOffset && txn.firstOffset() < upperBoundOffset) {
                overlapping.add(txn);
            }
            return txn.lastStableOffset() < upperBoundOffset;
        });
        return new TxnIndexSearchResult(overlapping, stoppedAt >= 0);
    }

    /** Removes every entry whose {@code lastOffset} is at or above {@code offset}. */
    public void truncateTo(long offset) throws IOException {
        long firstRemoved = forEachEntry((txn, position) -> txn.lastOffset() < offset);
        if (firstRemoved >= 0) {
            channel().truncate(firstRemoved);
            lastOffset = readLastOffset();
        }
    }

    /** Removes all entries, keeping an empty file if one exists. */
    public void reset() throws IOException {
        if (Files.exists(file)) {
            channel().truncate(0);
        }
        lastOffset = OptionalLong.empty();
    }

    /**
     * Checks the file for corruption: a torn trailing entry, an unknown entry version, or an entry whose last
     * offset lies before this segment's start offset (Kafka's check).
     *
     * @throws CorruptIndexException if any is found
     */
    public void sanityCheck() throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        long size = channel().size();
        if (size % ENTRY_SIZE != 0) {
            throw tornEntry(size);
        }
        forEachEntry((txn, position) -> {
            if (txn.lastOffset() < startOffset) {
                throw new CorruptIndexException("Transaction index " + file + " is corrupt: aborted transaction " + txn
                        + " at byte " + position + " ends before the segment's start offset " + startOffset);
            }
            return true;
        });
    }

    /** Forces appended entries to disk. */
    public void flush() throws IOException {
        if (channel != null) {
            channel.force(true);
        }
    }

    /** Releases the file handle. */
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    /**
     * Closes and deletes the file.
     *
     * @return whether a file was deleted
     */
    public boolean deleteIfExists() throws IOException {
        close();
        return Files.deleteIfExists(file);
    }

    /**
     * Renames the file if it exists (atomically where the file system allows). The index refers to
     * {@code newFile} afterwards even if the move fails.
     */
    public void renameTo(Path newFile) throws IOException {
        try {
            if (Files.exists(file)) {
                Utils.atomicMoveWithFallback(file, newFile, false);
            }
        } finally {
            file = newFile;
        }
    }

    /** Points the index at a file of the same name in {@code parentDir}, after its directory was moved. */
    public void updateParentDir(Path parentDir) {
        file = parentDir.resolve(file.getFileName());
    }

    public long startOffset() {
        return startOffset;
    }

    public Path file() {
        return file;
    }

    /** Receives each whole entry and its byte position; returns false to stop. */
    private interface EntryVisitor {
        boolean visit(AbortedTxn txn, long position);
    }

    /**
     * Feeds every whole entry to the visitor, in file order, until it returns false.
     *
     * @return the byte position of the entry the visitor stopped at, or -1 if it saw every entry
     */
    private long forEachEntry(EntryVisitor visitor) throws IOException {
        if (channel == null && !Files.exists(file)) {
            return -1;
        }
        FileChannel channel = channel();
        long end = channel.size() - channel.size() % ENTRY_SIZE;
        ByteBuffer buffer = ByteBuffer.allocate(ENTRY_SIZE * ENTRIES_PER_READ);
        for (long chunk = 0; chunk < end; chunk += buffer.capacity()) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), end - chunk));
            readFully(channel, buffer, chunk);
            buffer.flip();
            for (long position = chunk; buffer.hasRemaining(); position += ENTRY_SIZE) {
                if (!visitor.visit(decode(buffer, position), position)) {
                    return position;
                }
            }
        }
        return -1;
    }

    private AbortedTxn decode(ByteBuffer buffer, long position) {
        short version = buffer.getShort();
        if (version != CURRENT_VERSION) {
            throw new CorruptIndexException("Transaction index " + file + " is corrupt: entry at byte " + position
                    + " has version " + version + ", expected " + CURRENT_VERSION);
        }
        return new AbortedTxn(buffer.getLong(), buffer.getLong(), buffer.getLong(), buffer.getLong());
    }

    /** The last whole entry's last offset, read without checks: corruption is for sanityCheck() to report. */
    private OptionalLong readLastOffset() throws IOException {
        if (!Files.exists(file)) {
            return OptionalLong.empty();
        }
        FileChannel channel = channel();
        long wholeEntries = channel.size() / ENTRY_SIZE;
        if (wholeEntries == 0) {
            return OptionalLong.empty();
        }
        ByteBuffer buffer = ByteBuffer.allocate(ENTRY_SIZE);
        long position = (wholeEntries - 1) * ENTRY_SIZE;
        readFully(channel, buffer, position);
        return OptionalLong.of(buffer.getLong(LAST_OFFSET_POSITION));
    }

    private void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, at);
            if (read < 0) {
                throw new CorruptIndexException(
                        "Transaction index " + file + " ended at byte " + at + " while reading");
            }
            at += read;
        }
    }

    private FileChannel channel() throws IOException {
        if (channel == null) {
            channel = FileChannel.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        return channel;
    }

    private CorruptIndexException tornEntry(long size) {
        return new CorruptIndexException("Transaction index " + file + " is corrupt: its length " + size
                + " ends in a torn entry of " + size % ENTRY_SIZE + " bytes");
    }
}
