package io.varve.transport.api.fetch;

import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.requests.FetchRequest;

/**
 * A partition in an incremental fetch session (KIP-227): what the client last asked for (offset,
 * max bytes, leader epoch) and what the broker last told it (high watermark, last stable offset, log
 * start offset), so an incremental response carries only partitions that changed. Mutable; guarded
 * by its {@link FetchSessionCache}'s lock.
 */
final class CachedPartition {
    private final TopicIdPartition partition;
    private long fetchOffset;
    private int maxBytes;
    private int currentLeaderEpoch;
    private long highWatermark = -1L;
    private long lastStableOffset = -1L;
    private long logStartOffset = -1L;

    CachedPartition(TopicIdPartition partition, FetchRequest.PartitionData data) {
        this.partition = partition;
        updateRequest(data);
    }

    CachedPartition(PartitionFetch fetch) {
        this.partition = fetch.partition();
        this.fetchOffset = fetch.fetchOffset();
        this.maxBytes = fetch.maxBytes();
        this.currentLeaderEpoch = fetch.currentLeaderEpoch();
    }

    void updateRequest(FetchRequest.PartitionData data) {
        fetchOffset = data.fetchOffset;
        maxBytes = data.maxBytes;
        currentLeaderEpoch = data.currentLeaderEpoch.orElse(-1);
    }

    PartitionFetch toFetch() {
        return new PartitionFetch(partition, fetchOffset, maxBytes, currentLeaderEpoch);
    }

    /** Records what was sent; true when the client must hear about this partition. */
    boolean maybeUpdateResponse(PartitionResult result) {
        boolean changed = result.recordBytes() > 0
                || result.hasError()
                || result.highWatermark() != highWatermark
                || result.lastStableOffset() != lastStableOffset
                || result.logStartOffset() != logStartOffset;
        highWatermark = result.highWatermark();
        lastStableOffset = result.lastStableOffset();
        logStartOffset = result.logStartOffset();
        return changed;
    }
}
