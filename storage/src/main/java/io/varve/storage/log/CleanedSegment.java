package io.varve.storage.log;

import io.varve.storage.index.AbortedTxn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A segment the log cleaner is writing, under Kafka's {@code .cleaned} names next to the log's own
 * segments ({@code 00000000000000000000.log.cleaned}, {@code .index.cleaned}, {@code .timeindex.cleaned},
 * {@code .txnindex.cleaned}), indexed exactly as an appended segment. {@link #finish} gives it its final
 * time-index entry, trims and fsyncs it and closes every handle; the log's owner then swaps the files in
 * by name ({@link PartitionLog#replaceSegments}), or removes them.
 *
 * <p>Owned by the cleaner thread that writes it; never shared. A crash leaves {@code .cleaned} files,
 * which the next load removes.
 */
public final class CleanedSegment {
    private static final Logger log = LoggerFactory.getLogger(CleanedSegment.class);
    public static final String SUFFIX = LogFiles.CLEANED_SUFFIX;

    private final Path dir;
    private final LogSegment segment;

    private CleanedSegment(Path dir, LogSegment segment) {
        this.dir = dir;
        this.segment = segment;
    }

    /** Creates empty {@code .cleaned} files for a segment at {@code baseOffset}, replacing stale ones. */
    public static CleanedSegment create(Path dir, long baseOffset, LogConfig config, long nowMs) throws IOException {
        deleteFiles(dir, baseOffset);
        return new CleanedSegment(dir, LogSegment.openWithSuffix(dir, baseOffset, config, SUFFIX, 0L, nowMs));
    }

    public long baseOffset() {
        return segment.baseOffset();
    }

    public int size() {
        return segment.size();
    }

    /** Appends batches whose offsets are above everything appended so far. */
    public void append(MemoryRecords records) throws IOException {
        segment.append(records);
    }

    /** Records an aborted transaction whose marker this segment keeps. */
    public void appendAbortedTxn(AbortedTxn abortedTxn) throws IOException {
        segment.txnIndex().append(abortedTxn);
    }

    /**
     * Completes the segment: final time-index entry, trimmed indexes, fsync, handles closed, and the
     * modification time of the last segment it replaces (which retention reads when there are no
     * timestamps).
     */
    public void finish(long lastModifiedMs) throws IOException {
        segment.onBecomeInactiveSegment();
        segment.flush();
        segment.close();
        segment.setLastModified(lastModifiedMs);
    }

    /** Closes and removes the files (an aborted or failed cleaning). */
    public void delete() {
        segment.closeHandlers();
        deleteFilesQuietly(dir, segment.baseOffset());
    }

    /** Removes the {@code .cleaned} files of the segment at {@code baseOffset}, if any. */
    public static void deleteFiles(Path dir, long baseOffset) throws IOException {
        Files.deleteIfExists(suffixed(LogFiles.logFile(dir, baseOffset)));
        Files.deleteIfExists(suffixed(LogFiles.offsetIndexFile(dir, baseOffset)));
        Files.deleteIfExists(suffixed(LogFiles.timeIndexFile(dir, baseOffset)));
        Files.deleteIfExists(suffixed(LogFiles.txnIndexFile(dir, baseOffset)));
    }

    /** As {@link #deleteFiles}, logging instead of throwing: a leftover is removed by the next load. */
    public static void deleteFilesQuietly(Path dir, long baseOffset) {
        try {
            deleteFiles(dir, baseOffset);
        } catch (IOException e) {
            // left for the next load, which removes every .cleaned file
            log.warn("could not remove cleaned segment {} in {}: {}", baseOffset, dir, e.toString());
        }
    }

    private static Path suffixed(Path file) {
        return file.resolveSibling(file.getFileName() + SUFFIX);
    }

    @Override
    public String toString() {
        return "CleanedSegment(" + dir.getFileName() + ", baseOffset=" + baseOffset() + ", size=" + size() + ")";
    }
}
