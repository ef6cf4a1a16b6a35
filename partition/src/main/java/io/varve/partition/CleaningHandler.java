package io.varve.partition;

import io.varve.partition.PartitionActor.CleanableDescription;
import io.varve.partition.PartitionActor.CleanedSwapped;
import io.varve.partition.PartitionActor.CleaningStarted;
import io.varve.partition.PartitionActor.DescribeCleanable;
import io.varve.partition.PartitionActor.StartCleaning;
import io.varve.partition.PartitionActor.SwapCleaned;
import io.varve.storage.cleaner.CleanableRange;
import io.varve.storage.cleaner.CleaningSnapshot;
import io.varve.storage.cleaner.SwapOutcome;
import io.varve.storage.log.PartitionLog;
import java.io.IOException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica's side of log compaction: it describes how dirty its log is, snapshots the closed segments
 * for the node's log cleaner, and swaps the cleaned segments in. The cleaning itself runs on the
 * cleaner's threads from the snapshot; only these three short steps touch the log, on the replica's
 * own thread, so the log stays confined to its actor and a reader sees either the old segments or the
 * cleaned ones.
 *
 * <p>{@code stableOffset} bounds what may be cleaned: the last stable offset, of the leader's high
 * watermark on a follower. Followers' logs are
 * cleaned like leaders' (as in Kafka); a follower's truncation refuses the swap of a cleaning
 * snapshotted before it, and one below the cleaner's checkpoint moves the next cleaning's start back
 * ({@link PartitionLog#cleanerTruncationMark}). Stateless.
 */
final class CleaningHandler {
    private static final Logger log = LoggerFactory.getLogger(CleaningHandler.class);

    private CleaningHandler() {}

    static void onDescribe(HostedReplica replica, DescribeCleanable describe, long stableOffset) {
        PartitionLog partitionLog = replica.log();
        double minRatio = partitionLog.config().minCleanableDirtyRatio();
        CleanableRange range = null;
        if (isCompacted(partitionLog)) {
            try {
                range = CleanableRange.of(
                        partitionLog,
                        describe.checkpoint(),
                        stableOffset,
                        partitionLog.clock().millis());
            } catch (IOException e) {
                log.warn("cannot tell how dirty {} is: {}", replica.tp(), e.toString());
            }
        }
        describe.replyTo().tell(new CleanableDescription(replica.tp(), range, minRatio));
    }

    static void onStart(HostedReplica replica, StartCleaning start, long stableOffset) {
        TopicPartition tp = replica.tp();
        PartitionLog partitionLog = replica.log();
        if (!isCompacted(partitionLog)) {
            start.replyTo().tell(new CleaningStarted(tp, null, tp + " is not a compacted, online log"));
            return;
        }
        try {
            CleanableRange range = CleanableRange.of(
                    partitionLog,
                    start.checkpoint(),
                    stableOffset,
                    partitionLog.clock().millis());
            if (range.cleanableBytes() == 0) {
                start.replyTo().tell(new CleaningStarted(tp, null, tp + " has nothing to clean"));
                return;
            }
            start.replyTo().tell(new CleaningStarted(tp, CleaningSnapshot.take(partitionLog, range), null));
        } catch (IOException e) {
            start.replyTo().tell(new CleaningStarted(tp, null, "cannot snapshot " + tp + ": " + e));
        }
    }

    static void onSwap(HostedReplica replica, SwapCleaned swap) {
        PartitionLog partitionLog = replica.log();
        SwapOutcome outcome = swap.result().swapInto(partitionLog);
        if (outcome.isComplete()
                && partitionLog.truncationCount() == swap.result().truncationCount()) {
            // the snapshot came after every truncation so far: the new checkpoint accounts for them
            partitionLog.clearCleanerTruncationMark();
        }
        swap.replyTo().tell(new CleanedSwapped(replica.tp(), swap.result(), outcome));
    }

    /** A replica that cannot take the cleaned segments (offline, stopping) removes them. */
    static void refuseSwap(TopicPartition tp, SwapCleaned swap, String reason) {
        swap.result().discardFrom(0);
        swap.replyTo().tell(new CleanedSwapped(tp, swap.result(), new SwapOutcome(0, 0, reason)));
    }

    private static boolean isCompacted(PartitionLog partitionLog) {
        return !partitionLog.isOffline() && partitionLog.config().isCompacted();
    }
}
