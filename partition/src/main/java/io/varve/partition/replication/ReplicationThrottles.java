package io.varve.partition.replication;

import io.varve.metadata.MetadataImage;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.TopicImage;
import io.varve.storage.log.ThrottledReplicas;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;

/**
 * Which replication traffic is throttled, read from one metadata image as Kafka reads its configs
 * (KIP-73): the rates are dynamic broker configs ({@code leader.replication.throttled.rate}, {@code
 * follower.replication.throttled.rate}, bytes per second, the node's own over the cluster-wide
 * value), the replicas are topic configs ({@link ThrottledReplicas}). A listed replica's traffic is
 * counted against the quota; it is held back only while the follower involved is outside the ISR, so
 * a reassignment's catching-up replica is slowed and in-sync replication never is. Stateless.
 */
public final class ReplicationThrottles {
    public static final String LEADER_RATE_CONFIG = "leader.replication.throttled.rate";
    public static final String FOLLOWER_RATE_CONFIG = "follower.replication.throttled.rate";

    private ReplicationThrottles() {}

    /** This node's rate for what its leaders send to throttled followers. */
    public static long leaderRate(MetadataImage image, int nodeId) {
        return rate(image, nodeId, LEADER_RATE_CONFIG);
    }

    /** This node's rate for what its followers fetch for throttled partitions. */
    public static long followerRate(MetadataImage image, int nodeId) {
        return rate(image, nodeId, FOLLOWER_RATE_CONFIG);
    }

    /** Whether the leader replica of {@code tp} on {@code leaderId} is listed as throttled. */
    public static boolean isLeaderListed(MetadataImage image, TopicPartition tp, int leaderId) {
        return listed(image, tp, leaderId, ThrottledReplicas.LEADER_CONFIG);
    }

    /** Whether the follower replica of {@code tp} on {@code followerId} is listed as throttled. */
    public static boolean isFollowerListed(MetadataImage image, TopicPartition tp, int followerId) {
        return listed(image, tp, followerId, ThrottledReplicas.FOLLOWER_CONFIG);
    }

    /** Whether {@code replicaId} is in the ISR of {@code tp} (unknown partitions: no). */
    public static boolean isInSync(MetadataImage image, TopicPartition tp, int replicaId) {
        Optional<PartitionRegistration> partition = image.partition(tp);
        return partition.isPresent() && partition.get().isr().contains(replicaId);
    }

    private static boolean listed(MetadataImage image, TopicPartition tp, int brokerId, String config) {
        Optional<TopicImage> topic = image.topic(tp.topic());
        return topic.isPresent()
                && ThrottledReplicas.includes(topic.get().configs().get(config), tp.partition(), brokerId);
    }

    private static long rate(MetadataImage image, int nodeId, String config) {
        // the node's own value over the cluster-wide one, without building the merged map per fetch
        String value = image.brokerConfigs(Integer.toString(nodeId)).get(config);
        if (value == null) {
            value = image.brokerConfigs(MetadataImage.CLUSTER_LEVEL).get(config);
        }
        if (value == null) {
            return ReplicationQuota.UNLIMITED;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return ReplicationQuota.UNLIMITED;
        }
    }
}
