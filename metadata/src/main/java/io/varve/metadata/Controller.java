package io.varve.metadata;

import io.varve.metadata.controller.ControllerBehavior;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * The cluster's controller (Kafka's KRaft controller role): a Cluster Singleton and an
 * event-sourced entity whose events are the metadata log. It owns every topic, partition
 * registration, config and producer-id block; each persisted change produces a new {@link
 * MetadataImage} pushed to every registered node.
 *
 * <p>This class holds the protocol; the behavior lives in {@code io.varve.metadata.controller}.
 */
public final class Controller {
    /** The singleton's name in the cluster (and its actor name). */
    public static final String SINGLETON_NAME = "varve-controller";

    private Controller() {}

    /**
     * The controller behavior (event sourced, persistence id {@code varve-controller}). {@code
     * topicConfigValidator} returns an error message for invalid topic config overrides (the node
     * builds it on the storage module's LogConfig); it answers INVALID_CONFIG.
     */
    public static Behavior<Command> create(
            ControllerSettings settings, Function<Map<String, String>, Optional<String>> topicConfigValidator) {
        return ControllerBehavior.create(settings, topicConfigValidator);
    }

    /**
     * Starts (or joins) the cluster singleton controller on this node and returns the proxy that
     * routes to wherever it runs. Call once per node, after the cluster extension is started.
     */
    public static ActorRef<Command> initSingleton(
            ActorSystem<?> system,
            ControllerSettings settings,
            Function<Map<String, String>, Optional<String>> topicConfigValidator) {
        return ClusterSingleton.get(system)
                .init(SingletonActor.of(create(settings, topicConfigValidator), SINGLETON_NAME));
    }

    /** Every command crosses nodes (the singleton may live elsewhere). */
    public sealed interface Command extends VarveSerializable {}

    /**
     * Creates topics (CreateTopics). {@code numPartitions}/{@code replicationFactor} of -1 take the
     * broker defaults; non-empty {@code assignments} (partition → replica node ids) fix both.
     */
    public record CreateTopics(List<NewTopic> topics, boolean validateOnly, ActorRef<TopicResults> replyTo)
            implements Command {}

    public record NewTopic(
            String name,
            int numPartitions,
            short replicationFactor,
            Map<Integer, List<Integer>> assignments,
            Map<String, String> configs)
            implements VarveSerializable {}

    /** Deletes topics by name and/or id (DeleteTopics). */
    public record DeleteTopics(List<String> names, List<Uuid> topicIds, ActorRef<TopicResults> replyTo)
            implements Command {}

    /** Raises a topic's partition count to {@code totalCount} (CreatePartitions). */
    public record CreatePartitions(
            List<PartitionsIncrease> increases, boolean validateOnly, ActorRef<TopicResults> replyTo)
            implements Command {}

    public record PartitionsIncrease(String topic, int totalCount, List<List<Integer>> assignments)
            implements VarveSerializable {}

    /**
     * Replaces the full set of overrides of a topic ({@code resourceType = "topic"}) or of the
     * broker-wide dynamic defaults ({@code "broker"}, name = node id or "" for cluster default).
     * Handlers of AlterConfigs and IncrementalAlterConfigs compute the new map from the current
     * image.
     */
    public record ReplaceConfigs(
            String resourceType,
            String resourceName,
            Map<String, String> configs,
            boolean validateOnly,
            ActorRef<OperationResult> replyTo)
            implements Command {}

    /**
     * Replaces the full set of dynamic configs of a group (KIP-848 group configs such as {@code
     * consumer.session.timeout.ms}); the handlers validate names and values, an empty map removes the
     * group's entry. Kafka keeps these for any group name, existing or not.
     */
    public record ReplaceGroupConfigs(
            String group, Map<String, String> configs, boolean validateOnly, ActorRef<OperationResult> replyTo)
            implements Command {}

    /** The dynamic configs stored for {@code group} (empty when none). */
    public record DescribeGroupConfigs(String group, ActorRef<GroupConfigs> replyTo) implements Command {}

    /**
     * AlterUserScramCredentials: the controller validates every alteration against the stored
     * credentials (Kafka's rules and error codes) and persists the accepted ones in one step.
     */
    public record AlterScramCredentials(
            List<ScramUpsertion> upsertions, List<ScramDeletion> deletions, ActorRef<ScramAlterResults> replyTo)
            implements Command {}

    /**
     * A credential to store: never the password nor the salted password, only what a SCRAM server
     * keeps (RFC 5802): salt, iterations, StoredKey and ServerKey, derived by the handler.
     *
     * @param mechanism Kafka's SCRAM mechanism type (1 SCRAM-SHA-256, 2 SCRAM-SHA-512; others unknown)
     */
    public record ScramUpsertion(String user, byte mechanism, int iterations, ScramSecret secret)
            implements VarveSerializable {}

    public record ScramDeletion(String user, byte mechanism) implements VarveSerializable {}

    /** Every stored user's mechanisms and iteration counts (DescribeUserScramCredentials). */
    public record DescribeScramCredentials(ActorRef<ScramCredentialInfos> replyTo) implements Command {}

    /** A block of producer ids for one broker's InitProducerId answers. */
    public record AllocateProducerIds(int brokerId, ActorRef<ProducerIdBlock> replyTo) implements Command {}

    /** A node joins: the controller records it and pushes every image to {@code subscriber}. */
    public record RegisterBroker(BrokerInfo broker, ActorRef<MetadataUpdate> subscriber) implements Command {}

    /** The current image, once. */
    public record GetImage(ActorRef<MetadataUpdate> replyTo) implements Command {}

    // ---- replies ----

    public record TopicResults(List<TopicResult> results) implements VarveSerializable {}

    /** One topic's outcome; {@code error} is {@code NONE} on success. */
    public record TopicResult(
            String name,
            Uuid topicId,
            Errors error,
            String message,
            int numPartitions,
            short replicationFactor,
            Map<String, String> configs)
            implements VarveSerializable {}

    public record OperationResult(Errors error, String message) implements VarveSerializable {}

    public record ProducerIdBlock(int brokerId, long firstProducerId, int size, Errors error)
            implements VarveSerializable {}

    /** A group's stored dynamic configs. */
    public record GroupConfigs(String group, Map<String, String> configs) implements VarveSerializable {}

    /** One user's outcome of an AlterScramCredentials, in Kafka's order (deletions, upsertions, errors). */
    public record ScramAlterResult(String user, Errors error, String message) implements VarveSerializable {}

    public record ScramAlterResults(List<ScramAlterResult> results) implements VarveSerializable {}

    /** User name to (mechanism type to iterations), for every user with a credential. */
    public record ScramCredentialInfos(Map<String, Map<Byte, Integer>> users) implements VarveSerializable {}

    /** A new image (the whole image: a single node's metadata is small; deltas can come later). */
    public record MetadataUpdate(MetadataImage image) implements VarveSerializable {}
}
