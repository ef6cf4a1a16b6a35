package io.varve.connectors.internal;

import io.varve.metadata.MetadataImage;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.TopicImage;
import io.varve.transport.api.BrokerServices;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.LeaderNotAvailableException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Why an in-process stage cannot reach a partition's actor, as the Kafka exception a client would
 * get, with a message stating the facts: the topic does not exist or was deleted (or deleted and
 * created again under a new id), the partition does not exist, another node leads it, or it is not
 * hosted here (the node is stopping). Read from the node's metadata image; stateless.
 */
public final class PartitionRoutes {
    private PartitionRoutes() {}

    /**
     * @param topicId the topic's id when the stage first reached the partition, or null
     * @param doing what the stage was doing, e.g. "appending to"
     */
    public static RuntimeException unavailable(BrokerServices services, TopicPartition tp, Uuid topicId, String doing) {
        return unavailable(services, tp, topicId, doing, null);
    }

    /**
     * As above, for a partition actor that answered {@code NOT_LEADER_OR_FOLLOWER} with {@code
     * partitionSays}: when this node's metadata has not caught up with the move yet, the partition's
     * own account is the reason.
     */
    public static RuntimeException unavailable(
            BrokerServices services, TopicPartition tp, Uuid topicId, String doing, String partitionSays) {
        MetadataImage image = services.metadata().image();
        Optional<TopicImage> topic = image.topic(tp.topic());
        String prefix = "while " + doing + " " + tp + ": ";
        if (topic.isEmpty()) {
            return topicId == null
                    ? new UnknownTopicOrPartitionException(
                            prefix + "topic '" + tp.topic() + "' does not exist on node " + services.nodeId())
                    : new UnknownTopicOrPartitionException(
                            prefix + "topic '" + tp.topic() + "' (id " + topicId + ") was deleted");
        }
        if (topicId != null && !topic.get().topicId().equals(topicId)) {
            return new UnknownTopicIdException(prefix + "topic '" + tp.topic() + "' (id " + topicId
                    + ") was deleted and created again with id " + topic.get().topicId());
        }
        PartitionRegistration registration = topic.get().partitions().get(tp.partition());
        if (registration == null) {
            return new UnknownTopicOrPartitionException(prefix + "topic '" + tp.topic() + "' has "
                    + topic.get().partitions().size() + " partition(s), no partition " + tp.partition());
        }
        if (registration.leader() < 0) {
            return new LeaderNotAvailableException(
                    prefix + "the partition has no leader (leader epoch " + registration.leaderEpoch() + ")");
        }
        if (registration.leader() != services.nodeId()) {
            return new NotLeaderOrFollowerException(prefix + "the partition moved: node " + registration.leader()
                    + " leads it at epoch " + registration.leaderEpoch() + ", not this node " + services.nodeId()
                    + " (in-process stages reach only the partitions their node leads)");
        }
        if (partitionSays != null) {
            return new NotLeaderOrFollowerException(prefix + "the partition moved: " + partitionSays);
        }
        return new NotLeaderOrFollowerException(
                prefix + "the partition is not hosted on node " + services.nodeId() + " (the node is stopping)");
    }
}
