package io.varve.partition;

import io.varve.storage.checkpoint.EpochAndOffset;
import io.varve.storage.checkpoint.LeaderEpochCache;

/**
 * Where a follower truncates when its leader answers a diverging epoch (Kafka's {@code
 * getOffsetTruncationState}), given the leader's end offset of that epoch and the follower's own
 * lineage:
 *
 * <ul>
 *   <li>the leader does not know the epoch's end: truncate to the follower's high watermark;
 *   <li>the follower does not know the epoch either (below its lineage): truncate to the leader's end;
 *   <li>the follower's largest epoch at or below it is another epoch: truncate to the end of that
 *       epoch in its own lineage; the next fetch checks again with the new last epoch;
 *   <li>the same epoch: truncate to the smaller of the two ends.
 * </ul>
 *
 * Never past the follower's log end offset. Stateless.
 */
final class FollowerTruncation {
    private FollowerTruncation() {}

    static long offset(
            LeaderEpochCache lineage, long logEndOffset, long highWatermark, int leaderEpoch, long leaderEndOffset) {
        if (leaderEndOffset == LeaderEpochCache.UNDEFINED_EPOCH_OFFSET) {
            return Math.min(highWatermark, logEndOffset);
        }
        if (leaderEpoch == LeaderEpochCache.UNDEFINED_EPOCH) {
            return Math.min(leaderEndOffset, logEndOffset);
        }
        EpochAndOffset own = lineage.endOffsetFor(leaderEpoch, logEndOffset);
        if (own.leaderEpoch() == LeaderEpochCache.UNDEFINED_EPOCH
                || own.endOffset() == LeaderEpochCache.UNDEFINED_EPOCH_OFFSET) {
            return Math.min(leaderEndOffset, logEndOffset);
        }
        if (own.leaderEpoch() != leaderEpoch) {
            return Math.min(own.endOffset(), logEndOffset);
        }
        return Math.min(Math.min(own.endOffset(), leaderEndOffset), logEndOffset);
    }
}
