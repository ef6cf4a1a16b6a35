package io.varve.storage.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Swaps a {@link CleanedSegment} in for the segments it was cleaned from, in Kafka's crash-safe order:
 *
 * <ol>
 *   <li>{@code X.*.cleaned} are renamed {@code X.*.swap}, the {@code .log} last, and the directory is
 *       fsynced: once {@code X.log.swap} exists a crash completes the swap at the next load ({@link
 *       InterruptedSwaps});
 *   <li>each old segment leaves the segment map and is renamed {@code .deleted}, removed after {@code
 *       file.delete.delay.ms} so reads in flight finish;
 *   <li>{@code X.*.swap} are renamed to the plain names, the {@code .log} first (a plain {@code X.log}
 *       with index {@code .swap} files left means only those renames remain), and the segment is opened.
 * </ol>
 *
 * Before anything moves, the log must be as the cleaner saw it: no truncation since, and every old
 * segment still the same object, closed and of the same size. When every old segment has left the log
 * (retention or DeleteRecords got there first), the cleaned copy is dropped instead.
 *
 * <p>Runs on the owner of the {@link PartitionLog}, so a reader sees either the old segments or the new
 * one, never both.
 */
final class SegmentSwap {
    private static final Logger log = LoggerFactory.getLogger(SegmentSwap.class);
    static final String SWAP_SUFFIX = LogFiles.SWAP_SUFFIX;

    private final PartitionLog partitionLog;

    SegmentSwap(PartitionLog partitionLog) {
        this.partitionLog = partitionLog;
    }

    SwapResult replace(
            long cleanedBaseOffset, List<LogSegment> oldSegments, List<Integer> sizes, long truncationCountAtSnapshot)
            throws IOException {
        Path dir = partitionLog.dir();
        String refusal = refusal(oldSegments, sizes, truncationCountAtSnapshot);
        if (refusal != null) {
            CleanedSegment.deleteFilesQuietly(dir, cleanedBaseOffset);
            if (refusal.isEmpty()) {
                return new SwapResult.Skipped(cleanedBaseOffset);
            }
            return new SwapResult.Refused(refusal);
        }
        renameFiles(dir, cleanedBaseOffset, CleanedSegment.SUFFIX, SWAP_SUFFIX, false);
        Utils.flushDir(dir);
        for (LogSegment old : oldSegments) {
            partitionLog.removeSegment(old);
        }
        renameFiles(dir, cleanedBaseOffset, SWAP_SUFFIX, "", true);
        Utils.flushDir(dir);
        LogSegment cleaned = partitionLog.openSegment(cleanedBaseOffset);
        cleaned.trimIndexes();
        partitionLog.segmentMap().put(cleanedBaseOffset, cleaned);
        log.debug(
                "swapped cleaned segment {} ({} bytes) in for {} in {}",
                cleanedBaseOffset,
                cleaned.size(),
                oldSegments,
                partitionLog.topicPartition());
        return new SwapResult.Swapped(cleanedBaseOffset, oldSegments.size());
    }

    /** Why the swap cannot happen; {@code ""} when every old segment is gone; {@code null} when it can. */
    private String refusal(List<LogSegment> oldSegments, List<Integer> sizes, long truncationCountAtSnapshot) {
        String name = partitionLog.topicPartition().toString();
        if (partitionLog.truncationCount() != truncationCountAtSnapshot) {
            return name + " was truncated while it was being cleaned";
        }
        TreeMap<Long, LogSegment> segments = partitionLog.segmentMap();
        long present = oldSegments.stream()
                .filter(s -> segments.get(s.baseOffset()) == s)
                .count();
        if (present == 0) {
            return "";
        }
        if (present < oldSegments.size()) {
            return "only " + present + " of the " + oldSegments.size() + " cleaned segments of " + name
                    + " are still in the log";
        }
        for (int i = 0; i < oldSegments.size(); i++) {
            LogSegment old = oldSegments.get(i);
            if (old == segments.lastEntry().getValue()) {
                return "segment " + old.baseOffset() + " of " + name + " became the active segment";
            }
            if (old.size() != sizes.get(i)) {
                return "segment " + old.baseOffset() + " of " + name + " changed size from " + sizes.get(i) + " to "
                        + old.size() + " bytes";
            }
        }
        return null;
    }

    /** Renames the segment files at {@code baseOffset} from one suffix to another, the {@code .log} first or last. */
    static void renameFiles(Path dir, long baseOffset, String from, String to, boolean logFirst) throws IOException {
        List<Path> indexes = List.of(
                LogFiles.offsetIndexFile(dir, baseOffset),
                LogFiles.timeIndexFile(dir, baseOffset),
                LogFiles.txnIndexFile(dir, baseOffset));
        List<Path> files = new ArrayList<>();
        if (logFirst) {
            files.add(LogFiles.logFile(dir, baseOffset));
        }
        files.addAll(indexes);
        if (!logFirst) {
            files.add(LogFiles.logFile(dir, baseOffset));
        }
        for (Path file : files) {
            Path source = file.resolveSibling(file.getFileName() + from);
            if (Files.exists(source)) {
                Utils.atomicMoveWithFallback(source, file.resolveSibling(file.getFileName() + to), false);
            }
        }
    }
}
