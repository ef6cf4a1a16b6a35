package io.varve.metadata.controller;

import io.varve.metadata.BrokerInfo;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.ScramSecret;
import io.varve.metadata.VarveSerializable;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;

/**
 * The controller's journal: one event per change of the cluster metadata, the counterpart of a
 * record in Kafka's {@code __cluster_metadata} log. The sequence number of an event in the journal
 * is the {@code offset} of the {@link io.varve.metadata.MetadataImage} it produces. Events are
 * written by the controller only and never change meaning: a new kind of change is a new event.
 */
public sealed interface ControllerEvent extends VarveSerializable {

    /** A topic came into being with its id, its first partitions (by index) and its overrides. */
    record TopicCreated(
            String name, Uuid topicId, Map<Integer, PartitionRegistration> partitions, Map<String, String> configs)
            implements ControllerEvent {}

    /** A topic and all its partitions are gone. */
    record TopicDeleted(String name, Uuid topicId) implements ControllerEvent {}

    /** Partitions were added to an existing topic; {@code partitions} holds only the new ones. */
    record PartitionsCreated(String topic, Map<Integer, PartitionRegistration> partitions) implements ControllerEvent {}

    /** A topic's config overrides were replaced as a whole. */
    record TopicConfigsReplaced(String topic, Map<String, String> configs) implements ControllerEvent {}

    /**
     * The dynamic broker configs were replaced as a whole; {@code resourceName} is the node id or ""
     * for the cluster-wide default, as requested (the image keeps one set, see the module README).
     */
    record BrokerConfigsReplaced(String resourceName, Map<String, String> configs) implements ControllerEvent {}

    /** Producer ids {@code [firstProducerId, firstProducerId + size)} went to {@code brokerId}. */
    record ProducerIdsAllocated(int brokerId, long firstProducerId, int size) implements ControllerEvent {}

    /**
     * A broker registered (or re-registered with a changed endpoint or a new incarnation); its broker
     * epoch is this event's offset.
     */
    record BrokerRegistered(BrokerInfo broker, String incarnation) implements ControllerEvent {}

    /** These brokers' incarnations left the cluster: they are no longer live. */
    record BrokersFenced(List<Integer> nodeIds) implements ControllerEvent {}

    /**
     * New registrations of existing partitions (elections, ISR changes): each replaces the
     * partition's registration as a whole. At most {@code EventChunks.MAX_PARTITIONS} per event.
     */
    record PartitionsChanged(List<PartitionChange> changes) implements ControllerEvent {}

    /** One partition's new registration. */
    record PartitionChange(String topic, PartitionRegistration registration) implements VarveSerializable {}

    /** A controller started on {@code nodeId} (the id clients are shown as the controller). */
    record ControllerActivated(int nodeId) implements ControllerEvent {}

    /**
     * A change of what the controller keeps beside the image (group configs, SCRAM credentials: see
     * {@link ClientMetadata}); it advances the image's offset and nothing else in it.
     */
    sealed interface ClientEvent extends ControllerEvent {}

    /** A group's dynamic configs were replaced as a whole; an empty set removes them. */
    record GroupConfigsReplaced(String group, Map<String, String> configs) implements ClientEvent {}

    /** A user's SCRAM credential for one mechanism was created or replaced (Kafka's UserScramCredentialRecord). */
    record ScramCredentialUpserted(String user, byte mechanism, int iterations, ScramSecret secret)
            implements ClientEvent {}

    /** A user's SCRAM credential for one mechanism was removed. */
    record ScramCredentialRemoved(String user, byte mechanism) implements ClientEvent {}

    /**
     * A change of the partition moves in progress (see {@link Reassignments}): kept beside the image,
     * it advances the image's offset and nothing else in it; the replica sets themselves change
     * through {@link PartitionsChanged} in the same batch.
     */
    sealed interface ReassignmentEvent extends ControllerEvent {}

    /**
     * A move of {@code topic}-{@code partition} from {@code original} to {@code target} started (or
     * replaced the previous target); while it runs the partition's replicas are the union.
     */
    record ReassignmentStarted(String topic, int partition, List<Integer> original, List<Integer> target)
            implements ReassignmentEvent {}

    /** The move of {@code topic}-{@code partition} completed or was cancelled. */
    record ReassignmentEnded(String topic, int partition) implements ReassignmentEvent {}
}
