package io.varve.metadata;

import io.varve.metadata.controller.ControllerBehavior;
import io.varve.metadata.controller.ControllerEvent;
import io.varve.metadata.controller.MembershipWatcher;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * The cluster's controller (Kafka's KRaft controller role): a Cluster Singleton and an
 * event-sourced entity whose events are the metadata log. It owns every broker registration,
 * topic, partition registration, config and producer-id block; it fences brokers whose Pekko
 * incarnation left the cluster and elects partition leaders; each persisted batch of events is
 * pushed to every node as a {@link MetadataDelta} (a node that falls behind, and every node when a
 * controller starts, gets a full image in {@link ImageChunk}s).
 *
 * <p>This class holds the protocol; the behavior lives in {@code io.varve.metadata.controller}.
 */
public final class Controller {
    /** The singleton's name in the cluster (and its actor name). */
    public static final String SINGLETON_NAME = "varve-controller";

    private Controller() {}

    /**
     * The controller behavior (event sourced, persistence id {@code varve-controller}) running on
     * node {@code localNodeId}. {@code policy} validates topic config overrides (INVALID_CONFIG) and
     * says whether a topic allows unclean leader election; the node builds it on the storage
     * module's LogConfig. Cluster membership ({@link LiveMembers}) is not watched: tests send it.
     */
    public static Behavior<Command> create(ControllerSettings settings, TopicPolicy policy, int localNodeId) {
        return ControllerBehavior.create(settings, policy, localNodeId, false);
    }

    /**
     * Starts (or joins) the cluster singleton controller on this node and returns the proxy that
     * routes to wherever it runs. The controller watches cluster membership and fences the brokers
     * whose incarnation is gone. Call once per node, after the cluster extension is started.
     */
    public static ActorRef<Command> initSingleton(
            ActorSystem<?> system, ControllerSettings settings, TopicPolicy policy, int localNodeId) {
        return initSingleton(system, settings, policy, localNodeId, CompletableFuture.completedFuture(null));
    }

    /**
     * As above; wherever the singleton runs on this node, it handles no command (it persists nothing)
     * until {@code mayAct} completes: the node's cluster incarnation is known (a shared journal's
     * fence against a second cluster, {@code docs/cluster.md}).
     */
    public static ActorRef<Command> initSingleton(
            ActorSystem<?> system,
            ControllerSettings settings,
            TopicPolicy policy,
            int localNodeId,
            CompletionStage<?> mayAct) {
        return ClusterSingleton.get(system)
                .init(SingletonActor.of(
                        ControllerBehavior.create(settings, policy, localNodeId, true, mayAct), SINGLETON_NAME));
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

    /**
     * A node registers its broker under its Pekko incarnation ({@code UniqueAddress} as a string).
     * Answered with a {@link Registration}; a registered node then gets every change pushed to
     * {@code subscriber}, and a full image first when its {@code knownOffset} is behind.
     */
    public record RegisterBroker(
            BrokerInfo broker,
            String incarnation,
            long knownOffset,
            ActorRef<MetadataPush> subscriber,
            ActorRef<Registration> replyTo)
            implements Command {}

    /** The current image, as {@link ImageChunk}s (a node that saw a gap in the deltas asks for it). */
    public record GetImage(ActorRef<MetadataPush> replyTo) implements Command {}

    /**
     * A partition leader's ISR change (Kafka's AlterPartition): accepted only from the current leader
     * at the current leader and partition epochs, with a new ISR of live replicas at the broker epochs
     * they fetched with ({@code -1} skips that check).
     */
    public record AlterPartition(
            String topic,
            int partition,
            int leaderId,
            long leaderBrokerEpoch,
            int leaderEpoch,
            int partitionEpoch,
            List<IsrMember> newIsr,
            ActorRef<AlterPartitionResult> replyTo)
            implements Command {}

    public record IsrMember(int brokerId, long brokerEpoch) implements VarveSerializable {}

    /**
     * The incarnations ({@code UniqueAddress} strings) of the cluster's live members (Up, WeaklyUp),
     * sent by the controller's {@link MembershipWatcher} on every membership change: a registered
     * broker whose incarnation is not among them is fenced.
     */
    public record LiveMembers(Set<String> incarnations) implements Command {}

    /** The node listeners found through the receptionist (sent by the controller to itself). */
    public record ListenersChanged(Set<ActorRef<MetadataPush>> listeners) implements Command {}

    /** Sent by a recovered controller to itself: record the activation and push full images. */
    public record Activate() implements Command {}

    /** Sent by the controller to itself once its node's cluster incarnation is known: it may act. */
    public record MayAct() implements Command {}

    /**
     * Controlled shutdown (Kafka's ControlledShutdown, or KRaft's heartbeat with wantShutDown): the
     * broker {@code brokerId}, registered by {@code incarnation}, is about to stop. The controller
     * stops electing it, takes it out of every ISR it can (an ISR never becomes empty) and moves each
     * of its leaderships to the first other live in-sync replica (a partition whose only in-sync
     * replica it is goes leaderless, as in Kafka), then answers with the leaderships it still holds.
     */
    public record ControlledShutdown(int brokerId, String incarnation, ActorRef<ControlledShutdownResult> replyTo)
            implements Command {}

    /** Kafka's two election types for {@link ElectLeaders}. */
    public enum ElectionType {
        /** Make each partition's first replica its leader again, if it is live and in sync. */
        PREFERRED,
        /** Give a leaderless partition a leader, out of sync if no in-sync replica is live. */
        UNCLEAN
    }

    /**
     * ElectLeaders: {@code partitions} maps topic names to partition indexes; null means every
     * partition, and then only the partitions that needed an election are answered (as Kafka does).
     */
    public record ElectLeaders(
            ElectionType type, Map<String, List<Integer>> partitions, ActorRef<ElectionResults> replyTo)
            implements Command {}

    /**
     * Sent by the controller to itself every {@code leader.imbalance.check.interval} when automatic
     * leader rebalancing is on: preferred elections for the brokers whose leader imbalance is too high.
     */
    public record CheckLeaderBalance() implements Command {}

    /**
     * AlterPartitionReassignments ({@code kafka-reassign-partitions.sh --execute}, KIP-455): each
     * {@link ReassignmentTarget} starts (or replaces) a move of one partition to its target replicas,
     * or cancels the move in progress. {@code allowReplicationFactorChange} false (v1+) refuses a
     * target whose size differs from the partition's replication factor.
     */
    public record AlterReassignments(
            List<ReassignmentTarget> targets,
            boolean allowReplicationFactorChange,
            ActorRef<ReassignmentResults> replyTo)
            implements Command {}

    /** One partition's target replicas; {@code cancel} (Kafka's null replicas) reverts a move in progress. */
    public record ReassignmentTarget(String topic, int partition, List<Integer> replicas, boolean cancel)
            implements VarveSerializable {}

    /**
     * ListPartitionReassignments: the moves in progress of the named partitions (topic name to
     * partition indexes; a partition without one, or unknown, is left out), or of every partition
     * when {@code partitions} is null.
     */
    public record ListReassignments(Map<String, List<Integer>> partitions, ActorRef<OngoingReassignments> replyTo)
            implements Command {}

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

    public enum RegistrationStatus {
        /** Registered (or already registered by this incarnation) at {@code brokerEpoch}. */
        REGISTERED,
        /** The node id belongs to another live incarnation: this node must not start. */
        DUPLICATE,
        /** The controller does not see this incarnation as a live member yet: retry. */
        NOT_A_MEMBER_YET
    }

    public record Registration(RegistrationStatus status, long brokerEpoch, String message)
            implements VarveSerializable {}

    /** {@code registration} is the committed one on success, null otherwise. */
    public record AlterPartitionResult(Errors error, String message, PartitionRegistration registration)
            implements VarveSerializable {}

    /** {@code remainingLeaderships}: the partitions the broker still leads after the elections. */
    public record ControlledShutdownResult(Errors error, String message, int remainingLeaderships)
            implements VarveSerializable {}

    public record ElectionResults(List<ElectionResult> results) implements VarveSerializable {}

    /** One partition's election: {@code error} is {@code NONE} when a leader was elected. */
    public record ElectionResult(String topic, int partition, Errors error, String message)
            implements VarveSerializable {}

    public record ReassignmentResults(List<ReassignmentResult> results) implements VarveSerializable {}

    /** One partition's answer to {@link AlterReassignments}: {@code NONE} when the move started, changed or ended. */
    public record ReassignmentResult(String topic, int partition, Errors error, String message)
            implements VarveSerializable {}

    public record OngoingReassignments(List<OngoingReassignment> reassignments) implements VarveSerializable {}

    /**
     * A move in progress as Kafka lists it: {@code replicas} the current (union) replica set, {@code
     * adding} the target replicas not in the original set, {@code removing} the original replicas
     * not in the target.
     */
    public record OngoingReassignment(
            String topic, int partition, List<Integer> replicas, List<Integer> adding, List<Integer> removing)
            implements VarveSerializable {}

    /** What the controller pushes to node listeners. */
    public sealed interface MetadataPush extends VarveSerializable {}

    /**
     * Persisted events in order; the first has metadata offset {@code baseOffset}. A node applies
     * them to its image when {@code baseOffset} follows its offset, and asks for a full image on a
     * gap.
     */
    public record MetadataDelta(long baseOffset, List<ControllerEvent> events) implements MetadataPush {}

    /**
     * Chunk {@code index} of {@code count} of the full image at {@code offset}. Chunk 0 carries
     * everything but topics; each chunk carries some topics, a large topic's partitions split over
     * several chunks, at most {@code ImageChunks.MAX_PARTITIONS} partitions a chunk, so a chunk
     * stays far below Artery's frame size however large the cluster.
     */
    public record ImageChunk(long offset, int index, int count, MetadataImage part) implements MetadataPush {}
}
