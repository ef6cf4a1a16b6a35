package io.varve.transport.api.meta;

import io.varve.metadata.MetadataImage;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.TopicImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.Errors;

/**
 * A topic of the metadata image as a Metadata response entry: leader and epoch (LEADER_NOT_AVAILABLE
 * without a leader), replicas, ISR, and the replicas on brokers that are not live as offline;
 * stateless.
 */
final class TopicDescriber {
    private TopicDescriber() {}

    static MetadataResponseTopic describe(TopicImage topic, MetadataImage image) {
        List<MetadataResponsePartition> partitions = new ArrayList<>();
        topic.partitions().values().stream()
                .sorted(Comparator.comparingInt(PartitionRegistration::partition))
                .forEach(partition -> partitions.add(describe(partition, image)));
        return new MetadataResponseTopic()
                .setErrorCode(Errors.NONE.code())
                .setName(topic.name())
                .setTopicId(topic.topicId())
                .setIsInternal(Topic.isInternal(topic.name()))
                .setPartitions(partitions);
    }

    static MetadataResponseTopic error(String name, Uuid topicId, Errors error) {
        return new MetadataResponseTopic()
                .setErrorCode(error.code())
                .setName(name)
                .setTopicId(topicId)
                .setIsInternal(name != null && Topic.isInternal(name));
    }

    private static MetadataResponsePartition describe(PartitionRegistration partition, MetadataImage image) {
        // Kafka reports a partition without a leader as LEADER_NOT_AVAILABLE (retriable).
        Errors error = partition.leader() < 0 ? Errors.LEADER_NOT_AVAILABLE : Errors.NONE;
        // KRaft lists the replicas on brokers that are not live (fenced, gone) as offline
        List<Integer> offline = new ArrayList<>();
        for (int replica : partition.replicas()) {
            if (!image.isLive(replica)) {
                offline.add(replica);
            }
        }
        return new MetadataResponsePartition()
                .setErrorCode(error.code())
                .setPartitionIndex(partition.partition())
                .setLeaderId(partition.leader())
                .setLeaderEpoch(partition.leaderEpoch())
                .setReplicaNodes(new ArrayList<>(partition.replicas()))
                .setIsrNodes(new ArrayList<>(partition.isr()))
                .setOfflineReplicas(offline);
    }
}
