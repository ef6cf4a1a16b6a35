package io.varve.metadata;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * The immutable cluster metadata at one point of the metadata log: {@code offset} is the sequence
 * number of the last controller event applied. Built by the controller, copied to every node's
 * {@link MetadataCache}; readers never see it change.
 *
 * @param controllerId the node the controller runs on (set when a controller activates)
 * @param brokers the live (registered, unfenced) brokers by node id: what clients see
 * @param registrations every registered broker by node id, fenced ones included
 * @param brokerConfigs the dynamic broker configs (AlterConfigs on a broker resource) by entity, as
 *     Kafka keeps them: a node id for that broker's own, {@link #CLUSTER_LEVEL} ("") for the
 *     cluster-wide defaults
 */
public record MetadataImage(
        long offset,
        String clusterId,
        int controllerId,
        Map<Integer, BrokerInfo> brokers,
        Map<Integer, BrokerRegistration> registrations,
        Map<String, TopicImage> topicsByName,
        Map<Uuid, String> topicNamesById,
        Map<String, Map<String, String>> brokerConfigs)
        implements VarveSerializable {

    /** The entity of the cluster-wide dynamic broker defaults, Kafka's empty resource name. */
    public static final String CLUSTER_LEVEL = "";

    /** An image whose brokers are all live, registered at epoch 0 by an unknown incarnation (tests). */
    public MetadataImage(
            long offset,
            String clusterId,
            int controllerId,
            Map<Integer, BrokerInfo> brokers,
            Map<String, TopicImage> topicsByName,
            Map<Uuid, String> topicNamesById,
            Map<String, Map<String, String>> brokerConfigs) {
        this(
                offset,
                clusterId,
                controllerId,
                brokers,
                registrationsOf(brokers),
                topicsByName,
                topicNamesById,
                brokerConfigs);
    }

    private static Map<Integer, BrokerRegistration> registrationsOf(Map<Integer, BrokerInfo> brokers) {
        Map<Integer, BrokerRegistration> registrations = new TreeMap<>();
        brokers.forEach((id, broker) -> registrations.put(id, new BrokerRegistration(broker, "", 0L, false)));
        return Collections.unmodifiableMap(registrations);
    }

    public static MetadataImage empty(String clusterId) {
        return new MetadataImage(-1L, clusterId, -1, Map.of(), Map.of(), Map.of(), Map.of(), Map.of());
    }

    public Optional<TopicImage> topic(String name) {
        return Optional.ofNullable(topicsByName.get(name));
    }

    public Optional<TopicImage> topic(Uuid topicId) {
        String name = topicNamesById.get(topicId);
        return name == null ? Optional.empty() : topic(name);
    }

    /** The dynamic configs stored for {@code entity}: a node id, or {@link #CLUSTER_LEVEL}. */
    public Map<String, String> brokerConfigs(String entity) {
        return brokerConfigs.getOrDefault(entity, Map.of());
    }

    /** The dynamic configs in force on {@code nodeId}: its own, over the cluster-wide ones (Kafka's order). */
    public Map<String, String> brokerConfigsOf(int nodeId) {
        Map<String, String> inForce = new TreeMap<>(brokerConfigs(CLUSTER_LEVEL));
        inForce.putAll(brokerConfigs(Integer.toString(nodeId)));
        return inForce;
    }

    public Optional<PartitionRegistration> partition(TopicPartition tp) {
        return topic(tp.topic()).map(t -> t.partitions().get(tp.partition()));
    }

    /** Whether {@code nodeId} is a registered, unfenced broker. */
    public boolean isLive(int nodeId) {
        return brokers.containsKey(nodeId);
    }

    /** The broker epoch of a live broker, or -1. */
    public long brokerEpoch(int nodeId) {
        BrokerRegistration registration = registrations.get(nodeId);
        return registration == null || registration.fenced() ? -1L : registration.brokerEpoch();
    }
}
