package io.varve.partition;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The leader's view of its replicas: the committed in-sync replica set (ISR), each replica's log
 * end offset (LEO) and when it was last caught up, and the high watermark, which is the smallest LEO
 * over the ISR and never moves backwards while this node leads the epoch (Kafka's {@code
 * maybeIncrementLeaderHW}).
 *
 * <pre>
 *   leader LEO 120   follower 2 LEO 117   follower 3 LEO 119   ISR {1,2,3}
 *   high watermark = min(120, 117, 119) = 117: offsets below 117 are committed
 * </pre>
 *
 * <p>While an ISR expansion is waiting for the controller, the high watermark already counts the
 * joining replica (KIP-497's maximal ISR), so it cannot move past what that replica has; a shrink
 * counts only once committed. A follower in the ISR whose LEO is not yet known holds the high
 * watermark where it is.
 *
 * <p>A follower is caught up when its fetch reached the leader's LEO as of that fetch, or reached
 * the leader's LEO as of its previous fetch (then it was caught up at that previous fetch's time):
 * Kafka's {@code lastCaughtUpTimeMs}. Not thread-safe: confined to the {@link PartitionActor} leading
 * the partition.
 */
final class LeaderState {
    private final int localNodeId;
    private final Map<Integer, Follower> followers = new HashMap<>();
    private Set<Integer> isr;
    private int pendingAddition = -1;
    private long leaderLogEndOffset;
    private long highWatermark;

    /** What the leader knows of one follower. */
    private static final class Follower {
        long logEndOffset = -1L;
        long lastCaughtUpTimeMs;
        long lastFetchLeaderLogEndOffset = -1L;
        long lastFetchTimeMs;
        long brokerEpoch = -1L;
    }

    /**
     * @param initialHighWatermark the last high watermark known for the partition (the log start
     *     offset when none is); it only moves up from here
     */
    LeaderState(int localNodeId, Collection<Integer> isr, long leaderLogEndOffset, long initialHighWatermark) {
        this(localNodeId, isr, leaderLogEndOffset, initialHighWatermark, 0L);
    }

    /** As above; the ISR members count as caught up at {@code nowMs} (a new leader does not drop them at once). */
    LeaderState(
            int localNodeId, Collection<Integer> isr, long leaderLogEndOffset, long initialHighWatermark, long nowMs) {
        this.localNodeId = localNodeId;
        this.isr = new LinkedHashSet<>(isr);
        this.isr.add(localNodeId);
        this.highWatermark = Math.min(initialHighWatermark, leaderLogEndOffset);
        this.leaderLogEndOffset = leaderLogEndOffset;
        for (int member : this.isr) {
            if (member != localNodeId) {
                follower(member).lastCaughtUpTimeMs = nowMs;
            }
        }
        maybeIncrementHighWatermark();
    }

    long highWatermark() {
        return highWatermark;
    }

    /** The committed ISR, the leader included. */
    List<Integer> isr() {
        return List.copyOf(isr);
    }

    int isrSize() {
        return isr.size();
    }

    OptionalLong logEndOffset(int replicaId) {
        if (replicaId == localNodeId) {
            return OptionalLong.of(leaderLogEndOffset);
        }
        Follower follower = followers.get(replicaId);
        return follower == null || follower.logEndOffset < 0
                ? OptionalLong.empty()
                : OptionalLong.of(follower.logEndOffset);
    }

    /** The broker epoch the follower last fetched with, or -1. */
    long brokerEpoch(int replicaId) {
        Follower follower = followers.get(replicaId);
        return follower == null ? -1L : follower.brokerEpoch;
    }

    /** The leader's own log grew (an append). Returns whether the high watermark moved. */
    boolean onLeaderLogEnd(long logEndOffset) {
        leaderLogEndOffset = logEndOffset;
        return maybeIncrementHighWatermark();
    }

    /** A follower's log end offset, without fetch timing (tests). Returns whether the high watermark moved. */
    boolean onFollowerLogEnd(int replicaId, long logEndOffset) {
        follower(replicaId).logEndOffset = logEndOffset;
        return maybeIncrementHighWatermark();
    }

    /**
     * A follower fetched from {@code fetchOffset} (its log end offset) at {@code nowMs}, at broker
     * epoch {@code brokerEpoch}. Returns whether the high watermark moved.
     */
    boolean onFollowerFetch(int replicaId, long fetchOffset, long brokerEpoch, long nowMs) {
        Follower follower = follower(replicaId);
        if (fetchOffset >= leaderLogEndOffset) {
            follower.lastCaughtUpTimeMs = Math.max(follower.lastCaughtUpTimeMs, nowMs);
        } else if (fetchOffset >= follower.lastFetchLeaderLogEndOffset && follower.lastFetchLeaderLogEndOffset >= 0) {
            follower.lastCaughtUpTimeMs = Math.max(follower.lastCaughtUpTimeMs, follower.lastFetchTimeMs);
        }
        follower.logEndOffset = fetchOffset;
        follower.lastFetchLeaderLogEndOffset = leaderLogEndOffset;
        follower.lastFetchTimeMs = nowMs;
        follower.brokerEpoch = brokerEpoch;
        return maybeIncrementHighWatermark();
    }

    /**
     * The controller committed a new ISR (the leader itself always stays in it). A shrink can let
     * the high watermark advance past a lagging replica. Returns whether it moved.
     */
    boolean onIsrChange(Collection<Integer> newIsr) {
        isr = new LinkedHashSet<>(newIsr);
        isr.add(localNodeId);
        if (isr.contains(pendingAddition)) {
            pendingAddition = -1;
        }
        return maybeIncrementHighWatermark();
    }

    /** An expansion adding {@code replicaId} is in flight (-1: none): the high watermark counts it. */
    void pendingAddition(int replicaId) {
        pendingAddition = replicaId;
    }

    /**
     * ISR members (not the leader) not caught up within {@code maxLagMs} of {@code nowMs}: a follower
     * is caught up when its LEO is the leader's, or it was caught up at most {@code maxLagMs} ago.
     */
    List<Integer> outOfSync(long nowMs, long maxLagMs) {
        List<Integer> lagging = new ArrayList<>();
        for (int member : isr) {
            if (member == localNodeId) {
                continue;
            }
            Follower follower = follower(member);
            boolean caughtUp =
                    follower.logEndOffset == leaderLogEndOffset || nowMs - follower.lastCaughtUpTimeMs <= maxLagMs;
            if (!caughtUp) {
                lagging.add(member);
            }
        }
        return lagging;
    }

    /**
     * Whether a follower outside the ISR may join it: its LEO reached the high watermark and the
     * start of the current leader epoch (so it has every committed record, Kafka's {@code
     * isFollowerInSync}).
     */
    boolean isReadyToJoin(int replicaId, long leaderEpochStartOffset) {
        if (isr.contains(replicaId)) {
            return false;
        }
        Follower follower = followers.get(replicaId);
        return follower != null
                && follower.logEndOffset >= highWatermark
                && follower.logEndOffset >= leaderEpochStartOffset;
    }

    private Follower follower(int replicaId) {
        return followers.computeIfAbsent(replicaId, id -> new Follower());
    }

    private boolean maybeIncrementHighWatermark() {
        long min = leaderLogEndOffset;
        for (int replica : isr) {
            if (replica != localNodeId) {
                min = Math.min(min, knownLogEnd(replica));
            }
        }
        if (pendingAddition >= 0) {
            min = Math.min(min, knownLogEnd(pendingAddition));
        }
        if (min > highWatermark) {
            highWatermark = min;
            return true;
        }
        return false;
    }

    /** A replica whose LEO is unknown holds the high watermark (-1 is below any). */
    private long knownLogEnd(int replicaId) {
        Follower follower = followers.get(replicaId);
        return follower == null ? -1L : follower.logEndOffset;
    }

    @Override
    public String toString() {
        Map<Integer, Long> ends = new HashMap<>();
        followers.forEach((id, f) -> ends.put(id, f.logEndOffset));
        return "LeaderState(isr=" + isr + ", pendingAddition=" + pendingAddition + ", leaderLogEndOffset="
                + leaderLogEndOffset + ", followerLogEndOffsets=" + ends + ", highWatermark=" + highWatermark + ")";
    }
}
