package io.varve.txn;

import io.varve.metadata.VarveSerializable;
import io.varve.txn.coordinator.CoordinatorServices;
import io.varve.txn.coordinator.TransactionEntity;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * The coordinator of one transactional id (Kafka's TransactionCoordinator): a Cluster-Sharded,
 * event-sourced entity whose entity id is the transactional id; its journal plays {@code
 * __transaction_state}'s role (docs/architecture.md §4). It hands out producer ids and epochs, fences old
 * producer instances, records the partitions and consumer groups of the open transaction, decides
 * commit or abort, writes the markers to the partition leaders and group coordinators, aborts
 * transactions that outlive their timeout and forgets ids idle for {@code
 * transactional.id.expiration.ms}. Every command carrying a {@code replyTo} is answered.
 */
public final class TransactionCoordinator {
    public static final EntityTypeKey<Command> ENTITY_TYPE = EntityTypeKey.create(Command.class, "txn");

    private TransactionCoordinator() {}

    public sealed interface Command extends VarveSerializable {}

    /**
     * InitProducerId with a transactional id; {@code expectedProducerId}/{@code expectedEpoch} (-1:
     * none) are KIP-360's producer-side epoch bump.
     */
    public record InitProducerId(
            int txnTimeoutMs, long expectedProducerId, short expectedEpoch, ActorRef<ProducerIdAndEpoch> replyTo)
            implements Command {}

    /**
     * AddPartitionsToTxn from a producer (transaction version 1) or, with {@code
     * transactionVersion} 2, from a partition leader adding the partition it was written to.
     */
    public record AddPartitions(
            long producerId,
            short producerEpoch,
            List<TopicPartition> partitions,
            short transactionVersion,
            ActorRef<PartitionErrors> replyTo)
            implements Command {}

    /** AddPartitionsToTxn v4+ with {@code verifyOnly}: is each partition in the open transaction? */
    public record VerifyPartitions(
            long producerId, short producerEpoch, List<TopicPartition> partitions, ActorRef<PartitionErrors> replyTo)
            implements Command {}

    /**
     * A consumer group's offsets join the transaction: AddOffsetsToTxn (version 1), or TxnOffsetCommit
     * v5+ ({@code verifyOnly} false, version 2); TxnOffsetCommit before v5 only verifies.
     */
    public record AddOffsets(
            long producerId,
            short producerEpoch,
            String groupId,
            boolean verifyOnly,
            short transactionVersion,
            ActorRef<ErrorResult> replyTo)
            implements Command {}

    /** EndTxn; {@code transactionVersion} 2 for EndTxn v5. */
    public record EndTxn(
            long producerId,
            short producerEpoch,
            boolean commit,
            short transactionVersion,
            ActorRef<ProducerIdAndEpoch> replyTo)
            implements Command {}

    /** DescribeTransactions of this id. */
    public record Describe(ActorRef<TransactionDescription> replyTo) implements Command {}

    /**
     * Sent by the node's transaction registry when the id's deadline passed (and once to every id
     * on start): abort a timed-out transaction, forget an expired id, resume markers.
     */
    public record CheckDeadline() implements Command {}

    /** Internal: the producer id fetched for {@code pending}, or the error that prevented it. */
    public record ProducerIdFetched(Command pending, long producerId, Errors error) implements Command {}

    /** Internal: the answers to one round of markers. */
    public record MarkersWritten(long round, Map<TopicPartition, Errors> partitions, Map<String, Errors> groups)
            implements Command {}

    /** Internal timer: send the markers still owed again. */
    public record RetryMarkers(long round) implements Command {}

    /**
     * Internal timer: the partition leaders' adds held since {@code since} while markers were being
     * written waited their longest; answer them {@code CONCURRENT_TRANSACTIONS}.
     */
    public record ReleaseHeldAdds(long since) implements Command {}

    /** Internal timer: no add of the next transaction came; persist the completion alone. */
    public record CompleteTransaction() implements Command {}

    // ---- replies ----

    /** {@code producerId}/{@code producerEpoch} are -1 unless {@code error} is NONE. */
    public record ProducerIdAndEpoch(Errors error, long producerId, short producerEpoch) implements VarveSerializable {}

    public record ErrorResult(Errors error) implements VarveSerializable {}

    /** One error per partition asked about. */
    public record PartitionErrors(Map<TopicPartition, Errors> errors) implements VarveSerializable {}

    /**
     * DescribeTransactions' answer; {@code TRANSACTIONAL_ID_NOT_FOUND} for an unknown id.
     *
     * @param state Kafka's name of the state
     * @param groups the consumer groups whose offsets are in the transaction
     */
    public record TransactionDescription(
            Errors error,
            String state,
            long producerId,
            short producerEpoch,
            int txnTimeoutMs,
            long txnStartTimestamp,
            List<TopicPartition> partitions,
            List<String> groups)
            implements VarveSerializable {}

    /** The entity of {@code transactionalId}, with this node's services. */
    public static Behavior<Command> create(String transactionalId, CoordinatorServices services) {
        return TransactionEntity.create(transactionalId, services);
    }

    /**
     * Starts the "txn" entity type on this node's sharding, its shards placed by {@code allocation}
     * (where FindCoordinator says they are).
     */
    public static ActorRef<ShardingEnvelope<Command>> initSharding(
            ActorSystem<?> system, CoordinatorServices services, ShardCoordinator.ShardAllocationStrategy allocation) {
        return ClusterSharding.get(system)
                .init(Entity.of(ENTITY_TYPE, context -> create(context.getEntityId(), services))
                        .withAllocationStrategy(allocation));
    }
}
