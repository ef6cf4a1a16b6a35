package io.varve.transport.internal;

import io.varve.metadata.BrokerInfo;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.PartitionRegistration;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;

/**
 * Where a partition's leader is, from the metadata image, for KIP-951 answers: a NOT_LEADER_OR_FOLLOWER
 * partition error carries the current leader and epoch, and the response carries that leader's
 * endpoint, so the client can retry without a Metadata round trip.
 *
 * @param leaderId the leader's node id, or -1 when there is none
 * @param leaderEpoch its leader epoch, or -1
 * @param leader the leader's endpoint, if the image knows the broker
 */
public record LeaderHint(int leaderId, int leaderEpoch, Optional<BrokerInfo> leader) {
    public static final LeaderHint NONE = new LeaderHint(-1, -1, Optional.empty());

    public static LeaderHint of(MetadataImage image, TopicPartition tp) {
        Optional<PartitionRegistration> registration = image.partition(tp);
        if (registration.isEmpty() || registration.get().leader() < 0) {
            return NONE;
        }
        PartitionRegistration partition = registration.get();
        return new LeaderHint(
                partition.leader(),
                partition.leaderEpoch(),
                Optional.ofNullable(image.brokers().get(partition.leader())));
    }

    public boolean isKnown() {
        return leaderId >= 0;
    }
}
