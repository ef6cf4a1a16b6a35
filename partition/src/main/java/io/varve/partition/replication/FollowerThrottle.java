package io.varve.partition.replication;

import io.varve.metadata.MetadataImage;
import org.apache.kafka.common.TopicPartition;

/**
 * A replica fetcher's view of the follower throttle (Kafka's follower replication quota): before
 * each fetch it reads the node's {@code follower.replication.throttled.rate} and the topics'
 * {@code follower.replication.throttled.replicas} from the current metadata image; a listed partition
 * of which this node is not in the ISR is left out of the fetch while the node's follower quota is
 * spent, and the bytes fetched for every listed partition are counted. One per {@link
 * ReplicaFetcher}, confined to its thread; the {@link ReplicationQuota} is the node's, shared.
 */
final class FollowerThrottle {
    private final int localNodeId;
    private final ReplicationQuota quota;
    private MetadataImage image;

    FollowerThrottle(int localNodeId, ReplicationQuota quota) {
        this.localNodeId = localNodeId;
        this.quota = quota;
    }

    /** Reads the rate and lists in force from {@code current}, for the fetch about to be built. */
    void refresh(MetadataImage current) {
        this.image = current;
        quota.setRate(ReplicationThrottles.followerRate(current, localNodeId));
    }

    /** How long to leave {@code tp} out of fetches: 0 to fetch it now. */
    long holdBackMs(TopicPartition tp) {
        if (quota.isUnlimited()
                || !ReplicationThrottles.isFollowerListed(image, tp, localNodeId)
                || ReplicationThrottles.isInSync(image, tp, localNodeId)) {
            return 0;
        }
        return quota.delayMs();
    }

    /** Counts {@code bytes} fetched for {@code tp} when it is a throttled partition. */
    void fetched(TopicPartition tp, long bytes) {
        if (bytes > 0 && !quota.isUnlimited() && ReplicationThrottles.isFollowerListed(image, tp, localNodeId)) {
            quota.record(bytes);
        }
    }
}
