package io.varve.transport.api.fetch;

import io.varve.metadata.MetadataImage;
import io.varve.partition.replication.ReplicationQuota;
import io.varve.partition.replication.ReplicationThrottles;
import io.varve.transport.api.BrokerServices;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.common.TopicIdPartition;

/**
 * The leader's side of the replication throttle (Kafka's leader replication quota) for one
 * follower's Fetch: the node's {@code leader.replication.throttled.rate} and the topics' {@code
 * leader.replication.throttled.replicas} as of the request's metadata image. While the node's leader
 * quota is spent, a listed partition whose fetching replica is outside the ISR gets no records in
 * this answer (no error: the follower asks again from the same offset), and does not count towards
 * the fetch's minimum bytes; the bytes sent for every listed partition are counted. One per request,
 * used on the thread completing it; the quota is the node's, shared.
 */
final class LeaderThrottle {
    private final ReplicationQuota quota;
    private final MetadataImage image;
    private final int leaderId;
    private final int replicaId;

    private LeaderThrottle(ReplicationQuota quota, MetadataImage image, int leaderId, int replicaId) {
        this.quota = quota;
        this.image = image;
        this.leaderId = leaderId;
        this.replicaId = replicaId;
    }

    /** The throttle for a fetch by {@code replicaId}, with the node's rate brought up to date. */
    static LeaderThrottle of(BrokerServices services, int replicaId) {
        MetadataImage image = services.metadata().image();
        ReplicationQuota quota = services.leaderQuota();
        quota.setRate(ReplicationThrottles.leaderRate(image, services.nodeId()));
        return new LeaderThrottle(quota, image, services.nodeId(), replicaId);
    }

    /** The partitions of {@code asked} whose records this answer holds back (decided once, up front). */
    Set<TopicIdPartition> heldBack(Collection<TopicIdPartition> asked) {
        Set<TopicIdPartition> held = new HashSet<>();
        if (quota.isUnlimited() || !quota.isExceeded()) {
            return held;
        }
        for (TopicIdPartition tp : asked) {
            if (tp.topic() != null
                    && ReplicationThrottles.isLeaderListed(image, tp.topicPartition(), leaderId)
                    && !ReplicationThrottles.isInSync(image, tp.topicPartition(), replicaId)) {
                held.add(tp);
            }
        }
        return held;
    }

    /** Counts {@code bytes} of records sent for {@code tp} when it is a listed partition. */
    void sent(TopicIdPartition tp, long bytes) {
        if (bytes > 0
                && !quota.isUnlimited()
                && tp.topic() != null
                && ReplicationThrottles.isLeaderListed(image, tp.topicPartition(), leaderId)) {
            quota.record(bytes);
        }
    }
}
