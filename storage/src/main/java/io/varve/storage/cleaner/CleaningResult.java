package io.varve.storage.cleaner;

import io.varve.storage.log.CleanedSegment;
import io.varve.storage.log.PartitionLog;
import io.varve.storage.log.SwapResult;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.TopicPartition;

/**
 * What a cleaner thread produced for one log: the cleaned segments, oldest first, ready to be swapped
 * in by the log's owner in that order; the offset the log is clean up to once they are ({@code
 * endOffset}, the next cleaning's first dirty offset); and the figures of the cleaning.
 *
 * @param truncationCount the log's truncation count when the snapshot was taken
 */
public record CleaningResult(
        TopicPartition topicPartition,
        Path dir,
        CleanableRange range,
        long endOffset,
        List<CleanedGroup> groups,
        CleanerStats stats,
        long truncationCount) {
    public CleaningResult {
        groups = List.copyOf(groups);
    }

    /**
     * Swaps the cleaned segments into {@code log}, oldest first, stopping at the first refusal (a later
     * group may have dropped an abort marker whose transaction's batches the refused group still holds).
     * Call on the log's owner.
     */
    public SwapOutcome swapInto(PartitionLog log) {
        int swapped = 0;
        int skipped = 0;
        for (int i = 0; i < groups.size(); i++) {
            CleanedGroup group = groups.get(i);
            SwapResult result =
                    log.replaceSegments(group.baseOffset(), group.replaced(), group.replacedSizes(), truncationCount);
            if (result instanceof SwapResult.Refused refused) {
                discardFrom(i + 1);
                return new SwapOutcome(swapped, skipped, refused.reason());
            }
            if (result instanceof SwapResult.Skipped) {
                skipped++;
            } else {
                swapped++;
            }
        }
        return new SwapOutcome(swapped, skipped, null);
    }

    /** Removes the cleaned files of {@code groups} from index {@code from} on (they will not be swapped in). */
    public void discardFrom(int from) {
        for (CleanedGroup group : groups.subList(from, groups.size())) {
            CleanedSegment.deleteFilesQuietly(dir, group.baseOffset());
        }
    }
}
