package io.varve.storage.log;

import io.varve.storage.index.OffsetIndex;
import io.varve.storage.index.TimeIndex;
import io.varve.storage.index.TransactionIndex;
import io.varve.storage.index.TxnIndexSearchResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.FileRecords.LogOffsetPosition;
import org.apache.kafka.common.record.internal.FileRecords.TimestampAndOffset;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * One segment of a partition log: the {@code .log} file of v2 record batches and its three
 * indexes, all named by the segment's base offset.
 *
 * <pre>
 *   00000000000000000100.log        [batch 100..104][batch 105..110][batch 111..111] ...
 *   00000000000000000100.index      (relative offset, position) every index.interval.bytes
 *   00000000000000000100.timeindex  (max timestamp so far, offset of that batch), increasing
 *   00000000000000000100.txnindex   aborted transactions whose markers are in this segment
 * </pre>
 *
 * <p>An index entry is written before a batch when more than {@code index.interval.bytes} were
 * appended since the previous entry; it maps the batch's <em>last</em> offset to the batch's start
 * position, as Kafka does, so Kafka's {@code kafka-dump-log} index checks pass.
 *
 * <p>Not thread-safe: confined to the actor that owns the partition log. Readers on other threads
 * receive {@link LogSlice}s holding a reference to the segment's {@link SharedFile} (opened on the
 * first zero-copy read), which stays open until the segment is closed or deleted and every slice
 * read from it has been released.
 */
public final class LogSegment {
    private final long baseOffset;
    private final FileRecords log;
    private final OffsetIndex offsetIndex;
    private final TimeIndex timeIndex;
    private final TransactionIndex txnIndex;
    private final int indexIntervalBytes;
    private final long rollJitterMs;
    private final int maxIndexBytes;

    private long createdMs;
    private int bytesSinceLastIndexEntry;
    private long maxTimestampSoFar = RecordBatch.NO_TIMESTAMP;
    private long offsetOfMaxTimestampSoFar;
    private OptionalLong rollingBasedTimestamp = OptionalLong.empty();
    private boolean maxTimestampLoaded;
    private SharedFile shared;

    LogSegment(
            long baseOffset,
            FileRecords log,
            OffsetIndex offsetIndex,
            TimeIndex timeIndex,
            TransactionIndex txnIndex,
            int indexIntervalBytes,
            long rollJitterMs,
            int maxIndexBytes,
            long createdMs) {
        this.baseOffset = baseOffset;
        this.log = log;
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
        this.txnIndex = txnIndex;
        this.indexIntervalBytes = indexIntervalBytes;
        this.rollJitterMs = rollJitterMs;
        this.maxIndexBytes = maxIndexBytes;
        this.createdMs = createdMs;
        this.offsetOfMaxTimestampSoFar = baseOffset;
    }

    /** Opens (creating when absent) the segment's files in {@code dir}. */
    static LogSegment open(Path dir, long baseOffset, LogConfig config, long rollJitterMs, long nowMs)
            throws IOException {
        return openWithSuffix(dir, baseOffset, config, "", rollJitterMs, nowMs);
    }

    /**
     * Opens (creating when absent) the segment's files named with an extra {@code suffix}, e.g.
     * {@code 00000000000000000042.log.cleaned} for a segment the log cleaner is writing.
     */
    static LogSegment openWithSuffix(
            Path dir, long baseOffset, LogConfig config, String suffix, long rollJitterMs, long nowMs)
            throws IOException {
        FileRecords records = FileRecords.open(
                withSuffix(LogFiles.logFile(dir, baseOffset), suffix).toFile());
        int indexBytes = config.segmentIndexBytes();
        return new LogSegment(
                baseOffset,
                records,
                new OffsetIndex(
                        withSuffix(LogFiles.offsetIndexFile(dir, baseOffset), suffix), baseOffset, indexBytes, true),
                new TimeIndex(
                        withSuffix(LogFiles.timeIndexFile(dir, baseOffset), suffix), baseOffset, indexBytes, true),
                new TransactionIndex(baseOffset, withSuffix(LogFiles.txnIndexFile(dir, baseOffset), suffix)),
                config.indexIntervalBytes(),
                rollJitterMs,
                indexBytes,
                nowMs);
    }

    private static Path withSuffix(Path file, String suffix) {
        return suffix.isEmpty() ? file : file.resolveSibling(file.getFileName() + suffix);
    }

    public long baseOffset() {
        return baseOffset;
    }

    public int size() {
        return log.sizeInBytes();
    }

    public Path file() {
        return log.file().toPath();
    }

    FileRecords records() {
        return log;
    }

    OffsetIndex offsetIndex() {
        return offsetIndex;
    }

    TimeIndex timeIndex() {
        return timeIndex;
    }

    TransactionIndex txnIndex() {
        return txnIndex;
    }

    /**
     * Appends batches whose offsets are already assigned and lie in this segment, indexing them.
     *
     * @return the file position the records were written at
     */
    int append(MemoryRecords records) throws IOException {
        int start = log.sizeInBytes();
        int position = start;
        ensureMaxTimestampLoaded();
        for (RecordBatch batch : records.batches()) {
            if (!rollingBasedTimestamp.isPresent() && batch.maxTimestamp() >= 0) {
                rollingBasedTimestamp = OptionalLong.of(batch.maxTimestamp());
            }
            indexBatch(batch, position);
            position += batch.sizeInBytes();
        }
        log.append(records);
        return start;
    }

    private void indexBatch(RecordBatch batch, int position) {
        if (batch.maxTimestamp() > maxTimestampSoFar) {
            maxTimestampSoFar = batch.maxTimestamp();
            offsetOfMaxTimestampSoFar = batch.lastOffset();
        }
        if (bytesSinceLastIndexEntry > indexIntervalBytes) {
            offsetIndex.append(batch.lastOffset(), position);
            timeIndex.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar);
            bytesSinceLastIndexEntry = 0;
        }
        bytesSinceLastIndexEntry += batch.sizeInBytes();
    }

    /** Whether an offset can be stored relative to this segment's base offset. */
    boolean canConvertToRelativeOffset(long offset) {
        long relative = offset - baseOffset;
        return relative >= 0 && relative <= Integer.MAX_VALUE;
    }

    /**
     * Kafka's roll rule: the segment is non-empty and too old ({@link LogConfig#maxSegmentMs()}, by the
     * timestamp of its first batch, or its creation time when batches carry none), or the new batches would not fit, or an index
     * is full, or the last offset cannot be stored relative to the base offset.
     */
    boolean shouldRoll(LogConfig config, int incomingBytes, long incomingMaxTimestamp, long lastOffset, long nowMs) {
        boolean reachedRollMs = timeWaitedForRoll(nowMs, incomingMaxTimestamp) > config.maxSegmentMs() - rollJitterMs;
        return (size() > 0 && reachedRollMs)
                || size() > config.segmentBytes() - incomingBytes
                || offsetIndex.isFull()
                || timeIndex.isFull()
                || !canConvertToRelativeOffset(lastOffset);
    }

    long timeWaitedForRoll(long nowMs, long messageTimestamp) {
        if (rollingBasedTimestamp.isEmpty() && size() > 0) {
            loadFirstBatchTimestamp();
        }
        if (rollingBasedTimestamp.isPresent() && messageTimestamp >= 0) {
            return messageTimestamp - rollingBasedTimestamp.getAsLong();
        }
        return nowMs - createdMs;
    }

    private void loadFirstBatchTimestamp() {
        for (FileChannelRecordBatch batch : log.batches()) {
            if (batch.maxTimestamp() >= 0) {
                rollingBasedTimestamp = OptionalLong.of(batch.maxTimestamp());
            }
            return;
        }
    }

    /**
     * The position of the first batch whose last offset is at least {@code offset}, searching from
     * the nearest index entry; {@code null} when every batch here ends before it.
     */
    LogOffsetPosition translateOffset(long offset) {
        int start = offsetIndex.lookup(offset).position();
        return log.searchForOffsetFromPosition(offset, start);
    }

    /**
     * An upper bound for the offsets a read that ended at file {@code position} returned: the offset of
     * the first indexed batch at or after it, empty when the index has none there (the bound is then the
     * next segment's base offset or the log end).
     */
    OptionalLong offsetBoundAfter(int position) {
        return offsetIndex.firstOffsetAtOrAfter(position);
    }

    /** Where a read found its batches: {@code length} bytes from {@code position}, starting at {@code firstBatchOffset}. */
    record Range(int position, int length, long firstBatchOffset) {}

    /**
     * Reads from the batch holding {@code startOffset}, up to {@code maxBytes} and not past {@code
     * maxPosition}. With {@code minOneBatch}, a first batch larger than {@code maxBytes} is returned
     * whole (KIP-74). Returns {@code null} when the segment has no batch at or after the offset.
     */
    Range read(long startOffset, int maxBytes, int maxPosition, boolean minOneBatch) {
        LogOffsetPosition start = translateOffset(startOffset);
        if (start == null) {
            return null;
        }
        int available = maxPosition - start.position;
        if (available <= 0) {
            return new Range(start.position, 0, start.offset);
        }
        int length = Math.min(available, maxBytes);
        if (minOneBatch && start.size > length) {
            length = Math.min(start.size, available);
        }
        return new Range(start.position, length, start.offset);
    }

    /** A new reference to this segment's open file for a zero-copy slice (opening it on first use). */
    RetainedFile retainFile() throws IOException {
        if (shared == null) {
            shared = SharedFile.open(file());
        }
        return shared.retain();
    }

    /** Copies {@code length} bytes from {@code position} into a new buffer, ready to read. */
    ByteBuffer readBytes(int position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        log.readInto(buffer, position); // leaves the buffer flipped for reading
        return buffer;
    }

    /** Gives up the segment's own reference to its shared file; slices still held keep it open. */
    private void releaseShared() {
        if (shared != null) {
            shared.release();
            shared = null;
        }
    }

    /** The first record here with timestamp ≥ {@code timestamp} and offset ≥ {@code startingOffset}. */
    Optional<TimestampAndOffset> findOffsetByTimestamp(long timestamp, long startingOffset) {
        long indexedOffset = timeIndex.lookup(timestamp).offset();
        int position =
                offsetIndex.lookup(Math.max(indexedOffset, startingOffset)).position();
        return Optional.ofNullable(log.searchForTimestamp(timestamp, position, startingOffset, Integer.MAX_VALUE));
    }

    /** The greatest batch max timestamp in this segment, or -1 when no batch has one. */
    long maxTimestampSoFar() {
        ensureMaxTimestampLoaded();
        return maxTimestampSoFar;
    }

    /** The last offset of the batch holding {@link #maxTimestampSoFar()}. */
    long offsetOfMaxTimestampSoFar() {
        ensureMaxTimestampLoaded();
        return offsetOfMaxTimestampSoFar;
    }

    /** Retention's view of age: the largest timestamp, or the file's mtime when there is none. */
    public long largestTimestamp() throws IOException {
        long max = maxTimestampSoFar();
        return max >= 0 ? max : Files.getLastModifiedTime(file()).toMillis();
    }

    /**
     * After open without recovery: the time index holds the max timestamp up to its last entry, and
     * the batches from the last offset-index entry on are scanned for the rest.
     */
    private void ensureMaxTimestampLoaded() {
        if (maxTimestampLoaded) {
            return;
        }
        maxTimestampLoaded = true;
        var last = timeIndex.lastEntry();
        if (last.timestamp() > maxTimestampSoFar) {
            maxTimestampSoFar = last.timestamp();
            offsetOfMaxTimestampSoFar = last.offset();
        }
        for (FileChannelRecordBatch batch :
                log.batchesFrom(offsetIndex.lookup(Long.MAX_VALUE).position())) {
            if (batch.maxTimestamp() > maxTimestampSoFar) {
                maxTimestampSoFar = batch.maxTimestamp();
                offsetOfMaxTimestampSoFar = batch.lastOffset();
            }
        }
    }

    /** The offset after the last batch, or the base offset when empty. */
    long readNextOffset() {
        long next = baseOffset;
        for (FileChannelRecordBatch batch :
                log.batchesFrom(offsetIndex.lookup(Long.MAX_VALUE).position())) {
            next = batch.nextOffset();
        }
        return next;
    }

    /**
     * Removes every batch from the one holding {@code offset} on, and the index entries for them.
     *
     * @return the number of bytes removed
     */
    int truncateTo(long offset) throws IOException {
        LogOffsetPosition mapping = translateOffset(offset);
        offsetIndex.truncateTo(offset);
        timeIndex.truncateTo(offset);
        txnIndex.truncateTo(offset);
        // the segment may become active again (follower truncation): give its indexes room to grow
        offsetIndex.resize(maxIndexBytes);
        timeIndex.resize(maxIndexBytes);
        int removed = mapping == null ? 0 : log.truncateTo(mapping.position);
        bytesSinceLastIndexEntry = 0;
        maxTimestampSoFar = RecordBatch.NO_TIMESTAMP;
        offsetOfMaxTimestampSoFar = baseOffset;
        maxTimestampLoaded = false;
        if (log.sizeInBytes() == 0) {
            rollingBasedTimestamp = OptionalLong.empty();
        }
        return removed;
    }

    /** Rebuilds the indexes from the batches from scratch (recovery and missing index files). */
    void resetIndexes() throws IOException {
        offsetIndex.reset();
        timeIndex.reset();
        txnIndex.reset();
        bytesSinceLastIndexEntry = 0;
        maxTimestampSoFar = RecordBatch.NO_TIMESTAMP;
        offsetOfMaxTimestampSoFar = baseOffset;
        maxTimestampLoaded = true;
    }

    /** Indexes a batch already in the file at {@code position}, during recovery. */
    void indexRecoveredBatch(RecordBatch batch, int position) {
        if (rollingBasedTimestamp.isEmpty() && batch.maxTimestamp() >= 0) {
            rollingBasedTimestamp = OptionalLong.of(batch.maxTimestamp());
        }
        indexBatch(batch, position);
    }

    /** Cuts the file at {@code validBytes} after recovery found a torn or corrupt tail. */
    int truncateFileTo(int validBytes) throws IOException {
        return log.truncateTo(validBytes);
    }

    /**
     * Trims the index files of a segment that is not active to their entries, as Kafka keeps them on disk
     * (opening preallocates them for appends); {@code kafka-dump-log} reads every slot of the file.
     */
    void trimIndexes() throws IOException {
        offsetIndex.trimToValidSize();
        timeIndex.trimToValidSize();
    }

    /** The segment stops being active: the final time-index entry is written and files trimmed. */
    void onBecomeInactiveSegment() throws IOException {
        ensureMaxTimestampLoaded();
        timeIndex.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar, true);
        offsetIndex.trimToValidSize();
        timeIndex.trimToValidSize();
        log.trim();
    }

    void flush() throws IOException {
        log.flush();
        offsetIndex.flush();
        timeIndex.flush();
        txnIndex.flush();
    }

    /** Resets the creation time, e.g. when a truncation empties the active segment. */
    void resetCreatedMs(long nowMs) {
        this.createdMs = nowMs;
    }

    void close() throws IOException {
        releaseShared();
        ensureMaxTimestampLoaded();
        if (maxTimestampSoFar >= 0) {
            timeIndex.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar, true);
        }
        offsetIndex.close();
        timeIndex.close();
        txnIndex.close();
        log.close();
    }

    /** Closes the handles without trimming, for a log going offline after an I/O error. */
    void closeHandlers() {
        releaseShared();
        closeQuietly(offsetIndex::close);
        closeQuietly(timeIndex::close);
        closeQuietly(txnIndex::close);
        closeQuietly(log::close);
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static void closeQuietly(IoAction action) {
        try {
            action.run();
        } catch (IOException | RuntimeException ignored) {
            // already offline; the handle is released either way
        }
    }

    /** Renames every file of the segment with the {@code .deleted} suffix; reads in flight go on. */
    void renameForDeletion() throws IOException {
        Path dir = file().getParent();
        log.renameTo(dir.resolve(file().getFileName() + LogFiles.DELETED_SUFFIX).toFile());
        offsetIndex.renameTo(suffixed(offsetIndex.file()));
        timeIndex.renameTo(suffixed(timeIndex.file()));
        txnIndex.renameTo(suffixed(txnIndex.file()));
    }

    private static Path suffixed(Path file) {
        return file.resolveSibling(file.getFileName() + LogFiles.DELETED_SUFFIX);
    }

    /** Closes and removes every file of the segment. */
    void deleteFiles() throws IOException {
        closeHandlers();
        Files.deleteIfExists(log.file().toPath());
        offsetIndex.deleteIfExists();
        timeIndex.deleteIfExists();
        txnIndex.deleteIfExists();
    }

    // ---- read-only views for the log cleaner, called by the owning actor (see docs/storage.md) ----

    /** The timestamp of the first batch, or -1 when the segment is empty or its batches carry none. */
    public long firstBatchTimestamp() {
        if (rollingBasedTimestamp.isEmpty() && size() > 0) {
            loadFirstBatchTimestamp();
        }
        return rollingBasedTimestamp.orElse(RecordBatch.NO_TIMESTAMP);
    }

    /** Bytes of offset-index entries (the file's size once the segment is no longer active). */
    public long offsetIndexSizeInBytes() {
        return offsetIndex.sizeInBytes();
    }

    /** Bytes of time-index entries. */
    public long timeIndexSizeInBytes() {
        return timeIndex.sizeInBytes();
    }

    /** The {@code .log} file's modification time. */
    public long lastModifiedMs() throws IOException {
        return Files.getLastModifiedTime(file()).toMillis();
    }

    /** The file position of the nearest offset-index entry at or below {@code offset}: a scan starts there. */
    public int indexedPositionAtOrBelow(long offset) {
        return offsetIndex.lookup(offset).position();
    }

    /** The aborted transactions this segment's index holds overlapping {@code [fromOffset, upperBoundOffset)}. */
    public TxnIndexSearchResult collectAbortedTxns(long fromOffset, long upperBoundOffset) throws IOException {
        return txnIndex.collectAbortedTxns(fromOffset, upperBoundOffset);
    }

    /**
     * Renames every file of the segment from {@code oldSuffix} to {@code newSuffix} ({@code ".cleaned"} to
     * {@code ".swap"} to {@code ""} when a cleaned segment is swapped in). A transaction index that was never
     * written has no file and is only renamed in name.
     */
    void changeFileSuffixes(String oldSuffix, String newSuffix) throws IOException {
        log.renameTo(replaceSuffix(file(), oldSuffix, newSuffix).toFile());
        offsetIndex.renameTo(replaceSuffix(offsetIndex.file(), oldSuffix, newSuffix));
        timeIndex.renameTo(replaceSuffix(timeIndex.file(), oldSuffix, newSuffix));
        txnIndex.renameTo(replaceSuffix(txnIndex.file(), oldSuffix, newSuffix));
    }

    private static Path replaceSuffix(Path file, String oldSuffix, String newSuffix) {
        String name = file.getFileName().toString();
        if (!name.endsWith(oldSuffix)) {
            throw new IllegalStateException("file " + file + " does not end in '" + oldSuffix + "'");
        }
        return file.resolveSibling(name.substring(0, name.length() - oldSuffix.length()) + newSuffix);
    }

    /** Sets the {@code .log} and offset-index files' modification time (a cleaned segment keeps its source's). */
    void setLastModified(long ms) throws IOException {
        Files.setLastModifiedTime(file(), java.nio.file.attribute.FileTime.fromMillis(ms));
        if (Files.exists(offsetIndex.file())) {
            Files.setLastModifiedTime(offsetIndex.file(), java.nio.file.attribute.FileTime.fromMillis(ms));
        }
    }

    @Override
    public String toString() {
        return "LogSegment(baseOffset=" + baseOffset + ", size=" + size() + ")";
    }
}
