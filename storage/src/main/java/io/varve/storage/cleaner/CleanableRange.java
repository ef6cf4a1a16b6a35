package io.varve.storage.cleaner;

import io.varve.storage.log.LogSegment;
import io.varve.storage.log.PartitionLog;
import java.io.IOException;
import java.util.List;
import org.apache.kafka.common.TopicPartition;

/**
 * Which part of a compacted log the cleaner may clean now, and how dirty it is, computed as Kafka's
 * cleaner manager does:
 *
 * <pre>
 *   log start      first dirty offset            first uncleanable offset       active segment
 *      | clean part     |  dirty part (cleanable)       |  too young / unstable      |  never cleaned
 *      [seg][seg][seg.....][seg][seg][seg]..............[seg][seg]...................[active ....]
 *       cleanBytes: segments below the first dirty offset; cleanableBytes: segments from it on
 * </pre>
 *
 * The first dirty offset is the cleaner's checkpoint (the end of the last cleaning), reset to the log
 * start offset when it is below it or past the log end, and moved back to where the log was truncated
 * when a truncation went below it ({@link PartitionLog#cleanerTruncationMark}). The first uncleanable offset is the base offset
 * of the segment holding the lowest of: the last stable offset (the high watermark until transactions),
 * the active segment's base offset, and the first segment whose newest record is younger than {@code
 * min.compaction.lag.ms}. The log is due when its dirty ratio {@code cleanableBytes / (cleanBytes +
 * cleanableBytes)} is above {@code min.cleanable.dirty.ratio}, or when a dirty segment's first record is
 * older than {@code max.compaction.lag.ms} ({@link #maxCompactionDelayMs} &gt; 0).
 *
 * <p>Immutable. {@link #of} reads the log and must run on its owner.
 *
 * @param checkpointReset the checkpointed offset was unusable (the log start offset was taken) or lies past
 *     a truncation (the truncation offset was taken): the cleaner writes {@code firstDirtyOffset} as its
 *     checkpoint
 */
public record CleanableRange(
        TopicPartition topicPartition,
        long firstDirtyOffset,
        long firstUncleanableOffset,
        long cleanBytes,
        long cleanableBytes,
        long maxCompactionDelayMs,
        boolean checkpointReset) {

    /** No checkpoint for the log: cleaning starts at its log start offset. */
    public static final long NO_CHECKPOINT = -1L;

    public long totalBytes() {
        return cleanBytes + cleanableBytes;
    }

    public double cleanableRatio() {
        long total = totalBytes();
        return total == 0 ? 0.0 : (double) cleanableBytes / total;
    }

    /** A dirty record waited longer than {@code max.compaction.lag.ms}: due whatever the ratio. */
    public boolean needsCompactionNow() {
        return maxCompactionDelayMs > 0;
    }

    /** Kafka's test: a non-empty log, due now with something to clean, or dirtier than {@code minRatio}. */
    public boolean isCleanable(double minRatio) {
        return totalBytes() > 0 && ((needsCompactionNow() && cleanableBytes > 0) || cleanableRatio() > minRatio);
    }

    /**
     * The range of {@code log} given the cleaner's checkpoint ({@link #NO_CHECKPOINT} if none) and the
     * offset below which records are stable. Call on the log's owner: a checkpoint at or below the log's
     * truncation mark clears the mark.
     */
    public static CleanableRange of(PartitionLog log, long checkpoint, long lastStableOffset, long nowMs)
            throws IOException {
        List<LogSegment> segments = log.segments();
        LogSegment active = segments.get(segments.size() - 1);
        long logStartOffset = log.logStartOffset();
        long truncatedTo = Math.max(log.cleanerTruncationMark(), logStartOffset);
        if (checkpoint == NO_CHECKPOINT || checkpoint <= truncatedTo) {
            log.clearCleanerTruncationMark(); // the cleaner's checkpoint already accounts for the truncation
        }
        long firstDirty = checkpoint == NO_CHECKPOINT ? logStartOffset : checkpoint;
        boolean reset = firstDirty < logStartOffset || firstDirty > log.logEndOffset();
        if (reset) {
            firstDirty = logStartOffset;
        } else if (firstDirty > truncatedTo) {
            // truncated below the checkpoint and grown back past it: what came after the truncation is dirty
            firstDirty = truncatedTo;
            reset = true;
        }
        long uncleanable = Math.min(lastStableOffset, active.baseOffset());
        long minLagMs = Math.max(log.config().minCompactionLagMs(), 0L);
        if (minLagMs > 0) {
            for (LogSegment segment : nonActiveFrom(segments, firstDirty)) {
                if (segment.largestTimestamp() > nowMs - minLagMs) {
                    uncleanable = Math.min(uncleanable, segment.baseOffset());
                    break;
                }
            }
        }
        uncleanable = Math.max(firstDirty, uncleanable);
        long firstUncleanable = firstUncleanableSegmentBase(segments, uncleanable);
        long cleanBytes = bytesOverlapping(segments, Long.MIN_VALUE, firstDirty);
        long cleanableBytes = bytesOverlapping(segments, Math.min(firstDirty, firstUncleanable), firstUncleanable);
        return new CleanableRange(
                log.topicPartition(),
                firstDirty,
                firstUncleanable,
                cleanBytes,
                cleanableBytes,
                maxCompactionDelayMs(log, segments, firstDirty, nowMs),
                reset && checkpoint != NO_CHECKPOINT);
    }

    /** The segments from the one holding {@code offset}, the active one excluded. */
    static List<LogSegment> nonActiveFrom(List<LogSegment> segments, long offset) {
        int from = 0;
        for (int i = 0; i < segments.size(); i++) {
            if (segments.get(i).baseOffset() <= offset) {
                from = i;
            }
        }
        return segments.subList(from, segments.size() - 1);
    }

    private static long firstUncleanableSegmentBase(List<LogSegment> segments, long uncleanable) {
        List<LogSegment> from = nonActiveFrom(segments, uncleanable);
        return from.isEmpty()
                ? segments.get(segments.size() - 1).baseOffset()
                : from.get(0).baseOffset();
    }

    /** Bytes of the segments that may hold offsets in {@code [from, to)}. */
    private static long bytesOverlapping(List<LogSegment> segments, long from, long to) {
        long bytes = 0;
        for (int i = 0; i < segments.size(); i++) {
            LogSegment segment = segments.get(i);
            long next = i + 1 < segments.size() ? segments.get(i + 1).baseOffset() : Long.MAX_VALUE;
            if (segment.baseOffset() < to && next > from) {
                bytes += segment.size();
            }
        }
        return bytes;
    }

    private static long maxCompactionDelayMs(PartitionLog log, List<LogSegment> segments, long firstDirty, long nowMs) {
        long earliest = Long.MAX_VALUE;
        for (LogSegment segment : nonActiveFrom(segments, firstDirty)) {
            long first = segment.firstBatchTimestamp();
            if (first > 0) {
                earliest = Math.min(earliest, first);
            }
        }
        long cleanUntil = nowMs - Math.max(log.config().maxCompactionLagMs(), 0L);
        return earliest < cleanUntil ? cleanUntil - earliest : 0L;
    }
}
