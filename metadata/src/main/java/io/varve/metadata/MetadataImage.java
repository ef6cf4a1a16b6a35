package io.varve.metadata;

import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * The immutable cluster metadata at one point of the metadata log: {@code offset} is the sequence
 * number of the last controller event applied. Built by the controller, copied to every node's
 * {@link MetadataCache}; readers never see it change.
 */
public record MetadataImage(
        long offset,
        String clusterId,
        int controllerId,
        Map<Integer, BrokerInfo> brokers,
        Map<String, TopicImage> topicsByName,
        Map<Uuid, String> topicNamesById,
        Map<String, String> brokerConfigs)
        implements VarveSerializable {

    public static MetadataImage empty(String clusterId) {
        return new MetadataImage(-1L, clusterId, -1, Map.of(), Map.of(), Map.of(), Map.of());
    }

    public Optional<TopicImage> topic(String name) {
        return Optional.ofNullable(topicsByName.get(name));
    }

    public Optional<TopicImage> topic(Uuid topicId) {
        String name = topicNamesById.get(topicId);
        return name == null ? Optional.empty() : topic(name);
    }

    public Optional<PartitionRegistration> partition(TopicPartition tp) {
        return topic(tp.topic()).map(t -> t.partitions().get(tp.partition()));
    }
}
