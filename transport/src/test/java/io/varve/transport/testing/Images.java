package io.varve.transport.testing;

import io.varve.metadata.BrokerInfo;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.TopicImage;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;

/** Metadata images for tests: a cluster of brokers and topics whose partitions are led as told. */
public final class Images {
    public static final String CLUSTER_ID = "varve-test-cluster";

    private Images() {}

    public static MetadataImage cluster(BrokerInfo... brokers) {
        Map<Integer, BrokerInfo> byId = new LinkedHashMap<>();
        for (BrokerInfo broker : brokers) {
            byId.put(broker.nodeId(), broker);
        }
        return new MetadataImage(1L, CLUSTER_ID, brokers[0].nodeId(), byId, Map.of(), Map.of(), Map.of());
    }

    /** {@code image} plus a topic whose partitions are all led by {@code leader} at {@code leaderEpoch}. */
    public static MetadataImage withTopic(
            MetadataImage image, String name, Uuid topicId, int partitions, int leader, int leaderEpoch) {
        Map<Integer, PartitionRegistration> registrations = new LinkedHashMap<>();
        for (int p = 0; p < partitions; p++) {
            registrations.put(
                    p, new PartitionRegistration(p, List.of(leader), List.of(leader), leader, leaderEpoch, 0));
        }
        Map<String, TopicImage> topics = new LinkedHashMap<>(image.topicsByName());
        topics.put(name, new TopicImage(name, topicId, registrations, Map.of()));
        Map<Uuid, String> names = new HashMap<>(image.topicNamesById());
        names.put(topicId, name);
        return new MetadataImage(
                image.offset() + 1,
                image.clusterId(),
                image.controllerId(),
                image.brokers(),
                topics,
                names,
                image.brokerConfigs());
    }
}
