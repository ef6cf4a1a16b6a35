package io.varve.storage.log;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka's three deletion rules for a {@link PartitionLog}, applied oldest segment first and stopping
 * at the first segment that must stay:
 *
 * <ol>
 *   <li>log start offset: a segment whose successor starts at or below the log start offset
 *       (after DeleteRecords) holds nothing readable;
 *   <li>{@code retention.bytes}: delete while the log minus the segment is still at least that size;
 *   <li>{@code retention.ms}: delete while the segment's largest timestamp is older than that.
 * </ol>
 *
 * A segment is deleted only when everything in it is below the high watermark (Kafka's {@code
 * deletableSegments}): replicas may still need what consumers cannot yet read. The active segment
 * counts too once it is not empty: when every segment is to go, a new active segment is rolled at
 * the log end offset first, so a quiet topic whose records have all expired ends up empty with its
 * log start offset at its old end, as in Kafka. Deleted segments are renamed {@code .deleted} and
 * removed after {@code file.delete.delay.ms}; the log start offset moves to the first remaining
 * segment. Used by the log's owner only, on the storage dispatcher.
 */
final class LogRetention {
    private static final Logger log = LoggerFactory.getLogger(LogRetention.class);

    private final PartitionLog partitionLog;

    LogRetention(PartitionLog partitionLog) {
        this.partitionLog = partitionLog;
    }

    private interface Rule {
        boolean shouldDelete(LogSegment segment, LogSegment next, long remainingBytes) throws IOException;
    }

    int deleteOldSegments(long highWatermark) throws IOException {
        int deleted = deleteSegmentsBelowLogStartOffset();
        LogConfig config = partitionLog.config();
        if (!config.isDeleteRetention()) {
            return deleted;
        }
        long retentionBytes = config.retentionBytes();
        if (retentionBytes >= 0) {
            deleted += deleteWhile(
                    "retention.bytes " + retentionBytes,
                    highWatermark,
                    (segment, next, remaining) -> remaining - segment.size() >= retentionBytes);
        }
        long retentionMs = config.retentionMs();
        if (retentionMs >= 0) {
            long nowMs = partitionLog.clock().millis();
            deleted += deleteWhile(
                    "retention.ms " + retentionMs,
                    highWatermark,
                    (segment, next, remaining) -> nowMs - segment.largestTimestamp() > retentionMs);
        }
        return deleted;
    }

    int deleteSegmentsBelowLogStartOffset() throws IOException {
        long logStartOffset = partitionLog.logStartOffset();
        return deleteWhile(
                "log start offset " + logStartOffset,
                logStartOffset,
                (segment, next, remaining) -> next != null && next.baseOffset() <= logStartOffset);
    }

    /**
     * Deletes segments, oldest first, while {@code rule} holds and all of the segment lies below
     * {@code deletableEnd}; an empty active segment always stays.
     */
    private int deleteWhile(String reason, long deletableEnd, Rule rule) throws IOException {
        Map<Long, LogSegment> segments = partitionLog.segmentMap();
        List<LogSegment> ordered = new ArrayList<>(segments.values());
        long remaining = partitionLog.size();
        List<LogSegment> deletable = new ArrayList<>();
        for (int i = 0; i < ordered.size(); i++) {
            LogSegment segment = ordered.get(i);
            LogSegment next = i + 1 < ordered.size() ? ordered.get(i + 1) : null;
            long segmentEnd = next != null ? next.baseOffset() : partitionLog.logEndOffset();
            boolean emptyActive = next == null && segment.size() == 0;
            if (emptyActive || segmentEnd > deletableEnd || !rule.shouldDelete(segment, next, remaining)) {
                break;
            }
            deletable.add(segment);
            remaining -= segment.size();
        }
        if (!deletable.isEmpty() && deletable.size() == ordered.size()) {
            // every segment goes, the active one too: start a new, empty one at the log end first
            partitionLog.roll();
        }
        for (LogSegment segment : deletable) {
            log.info(
                    "deleting segment {} of {} ({} bytes) by {}",
                    segment.baseOffset(),
                    partitionLog.topicPartition(),
                    segment.size(),
                    reason);
            partitionLog.removeSegment(segment);
        }
        if (!deletable.isEmpty()) {
            partitionLog.advanceLogStartOffset(partitionLog.segmentMap().firstKey());
            partitionLog
                    .producerState()
                    .deleteSnapshotsBefore(partitionLog.segmentMap().firstKey());
        }
        return deletable.size();
    }
}
