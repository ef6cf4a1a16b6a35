package io.varve.partition;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The leader's view of its replicas: the in-sync replica set (ISR), each replica's log end offset
 * (LEO) and the high watermark, which is the smallest LEO over the ISR and never moves backwards
 * while this node leads the epoch (Kafka's {@code maybeIncrementLeaderHW}).
 *
 * <pre>
 *   leader LEO 120   follower 2 LEO 117   follower 3 LEO 119   ISR {1,2,3}
 *   high watermark = min(120, 117, 119) = 117: offsets below 117 are committed
 * </pre>
 *
 * <p>A follower in the ISR whose LEO is not yet known holds the high watermark where it is. Not
 * thread-safe: confined to the {@link PartitionActor} leading the partition.
 */
final class LeaderState {
    private final int localNodeId;
    private final Map<Integer, Long> logEndOffsets = new HashMap<>();
    private Set<Integer> isr;
    private long highWatermark;

    /**
     * @param initialHighWatermark the last high watermark known for the partition (the log start
     *     offset when none is); it only moves up from here
     */
    LeaderState(int localNodeId, Collection<Integer> isr, long leaderLogEndOffset, long initialHighWatermark) {
        this.localNodeId = localNodeId;
        this.isr = new LinkedHashSet<>(isr);
        this.isr.add(localNodeId);
        this.highWatermark = Math.min(initialHighWatermark, leaderLogEndOffset);
        logEndOffsets.put(localNodeId, leaderLogEndOffset);
        maybeIncrementHighWatermark();
    }

    long highWatermark() {
        return highWatermark;
    }

    List<Integer> isr() {
        return List.copyOf(isr);
    }

    int isrSize() {
        return isr.size();
    }

    OptionalLong logEndOffset(int replicaId) {
        Long leo = logEndOffsets.get(replicaId);
        return leo == null ? OptionalLong.empty() : OptionalLong.of(leo);
    }

    /** The leader's own log grew (an append). Returns whether the high watermark moved. */
    boolean onLeaderLogEnd(long logEndOffset) {
        logEndOffsets.put(localNodeId, logEndOffset);
        return maybeIncrementHighWatermark();
    }

    /** A follower fetched from {@code logEndOffset}. Returns whether the high watermark moved. */
    boolean onFollowerLogEnd(int replicaId, long logEndOffset) {
        logEndOffsets.put(replicaId, logEndOffset);
        return maybeIncrementHighWatermark();
    }

    /**
     * The controller committed a new ISR (the leader itself always stays in it). A shrink can let
     * the high watermark advance past a lagging replica. Returns whether it moved.
     */
    boolean onIsrChange(Collection<Integer> newIsr) {
        isr = new LinkedHashSet<>(newIsr);
        isr.add(localNodeId);
        return maybeIncrementHighWatermark();
    }

    private boolean maybeIncrementHighWatermark() {
        long min = Long.MAX_VALUE;
        for (int replica : isr) {
            Long leo = logEndOffsets.get(replica);
            if (leo == null) {
                return false;
            }
            min = Math.min(min, leo);
        }
        if (min > highWatermark) {
            highWatermark = min;
            return true;
        }
        return false;
    }

    @Override
    public String toString() {
        return "LeaderState(isr=" + isr + ", logEndOffsets=" + logEndOffsets + ", highWatermark=" + highWatermark + ")";
    }
}
