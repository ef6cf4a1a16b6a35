package io.varve.transport.api.fetch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.requests.FetchRequest;

/**
 * An incremental fetch session (KIP-227): its id, the epoch the next request must carry, whether it
 * names topics by id (Fetch v13+), and its partitions in fetch order. Partitions that returned
 * records move to the back, so a response's max bytes does not starve the last ones. Mutable;
 * guarded by its {@link FetchSessionCache}'s lock.
 */
final class FetchSession {
    final int id;
    final boolean usesTopicIds;
    int epoch = FetchMetadata.nextEpoch(FetchMetadata.INITIAL_EPOCH);
    long lastUsedMs;
    private final LinkedHashMap<TopicIdPartition, CachedPartition> partitions = new LinkedHashMap<>();

    FetchSession(int id, boolean usesTopicIds, long nowMs) {
        this.id = id;
        this.usesTopicIds = usesTopicIds;
        this.lastUsedMs = nowMs;
    }

    int size() {
        return partitions.size();
    }

    void update(Map<TopicIdPartition, FetchRequest.PartitionData> fetchData, List<TopicIdPartition> forgotten) {
        fetchData.forEach((partition, data) -> {
            CachedPartition cached = partitions.get(partition);
            if (cached == null) {
                partitions.put(partition, new CachedPartition(partition, data));
            } else {
                cached.updateRequest(data);
            }
        });
        forgotten.forEach(partitions::remove);
    }

    void add(TopicIdPartition partition, CachedPartition cached) {
        partitions.put(partition, cached);
    }

    List<PartitionFetch> fetches() {
        List<PartitionFetch> fetches = new ArrayList<>(partitions.size());
        partitions.values().forEach(cached -> fetches.add(cached.toFetch()));
        return fetches;
    }

    /** The results the client must see, updating the cache; partitions with records rotate to the back. */
    List<PartitionResult> changed(List<PartitionResult> results) {
        List<PartitionResult> changed = new ArrayList<>();
        for (PartitionResult result : results) {
            CachedPartition cached = partitions.get(result.partition());
            if (cached == null || cached.maybeUpdateResponse(result)) {
                changed.add(result);
            }
            if (cached != null && result.recordBytes() > 0) {
                partitions.remove(result.partition());
                partitions.put(result.partition(), cached);
            }
        }
        return changed;
    }
}
