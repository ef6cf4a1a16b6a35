package io.varve.group;

import io.varve.group.classic.GroupDescription;
import io.varve.group.classic.JoinRequest;
import io.varve.group.classic.JoinResult;
import io.varve.group.classic.LeaveResult;
import io.varve.group.classic.LeavingMember;
import io.varve.group.classic.SyncRequest;
import io.varve.group.classic.SyncResult;
import io.varve.group.internal.GroupEntity;
import io.varve.group.internal.GroupIds;
import io.varve.group.internal.GroupNameRecord;
import io.varve.metadata.MetadataCache;
import io.varve.metadata.VarveSerializable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * The coordinator of one consumer group: a Cluster-Sharded, event-sourced entity whose entity id
 * is derived from the group id (docs/architecture.md §4; {@link GroupIds} maps any id a client can
 * send). It runs the classic group protocol and stores the group's
 * committed offsets and its stable generation. JoinGroup and SyncGroup are answered when the
 * rebalance completes, so callers must wait longer than the group's rebalance timeout.
 */
public final class GroupCoordinator {
    public static final EntityTypeKey<Command> ENTITY_TYPE = EntityTypeKey.create(Command.class, "group");

    private GroupCoordinator() {}

    public sealed interface Command extends VarveSerializable {}

    public record JoinGroup(JoinRequest request, ActorRef<JoinResult> replyTo) implements Command {}

    public record SyncGroup(SyncRequest request, ActorRef<SyncResult> replyTo) implements Command {}

    public record Heartbeat(String memberId, String groupInstanceId, int generationId, ActorRef<ErrorResult> replyTo)
            implements Command {}

    public record LeaveGroup(List<LeavingMember> members, ActorRef<LeaveResult> replyTo) implements Command {}

    /**
     * An OffsetCommit: generation -1 with no member id is a simple commit, accepted only while the
     * group has no members. The offsets' commit timestamps are set by the coordinator.
     */
    public record CommitOffsets(
            String memberId,
            String groupInstanceId,
            int generationId,
            Map<TopicPartition, CommittedOffset> offsets,
            ActorRef<ErrorResult> replyTo)
            implements Command {}

    /**
     * An OffsetFetch of the given partitions, or of every committed partition when {@code all}. With
     * {@code requireStable} (v7+, read_committed consumers) partitions with offsets pending in an open
     * transaction are reported unstable instead.
     */
    public record FetchOffsets(
            boolean all, List<TopicPartition> partitions, boolean requireStable, ActorRef<OffsetsResult> replyTo)
            implements Command {

        /** Without {@code requireStable}. */
        public FetchOffsets(boolean all, List<TopicPartition> partitions, ActorRef<OffsetsResult> replyTo) {
            this(all, partitions, false, replyTo);
        }
    }

    /**
     * TxnOffsetCommit: offsets committed inside producer {@code producerId}'s transaction, held pending
     * until the transaction's marker ({@link CompleteTxnOffsets}); the member and generation are
     * checked as for OffsetCommit when given (KIP-447). The commit timestamps are set here.
     */
    public record CommitTxnOffsets(
            long producerId,
            short producerEpoch,
            String memberId,
            String groupInstanceId,
            int generationId,
            Map<TopicPartition, CommittedOffset> offsets,
            ActorRef<ErrorResult> replyTo)
            implements Command {}

    /**
     * The transaction coordinator's marker for the group: commit makes the producer's pending offsets
     * the committed ones, abort discards them.
     */
    public record CompleteTxnOffsets(
            long producerId, short producerEpoch, boolean commit, ActorRef<ErrorResult> replyTo) implements Command {}

    public record DeleteOffsets(List<TopicPartition> partitions, ActorRef<OffsetDeleteResult> replyTo)
            implements Command {}

    public record DescribeGroup(ActorRef<GroupDescription> replyTo) implements Command {}

    public record DeleteGroup(ActorRef<ErrorResult> replyTo) implements Command {}

    /** Sent by the entity to itself at the group's next deadline. */
    public record DeadlineReached() implements Command {}

    /** Sent by the entity to itself to persist the offset commits it has accepted since the last flush. */
    public record FlushCommits() implements Command {}

    public record ErrorResult(Errors error) implements VarveSerializable {}

    /**
     * Committed offsets by partition; a requested partition without one is absent. {@code unstable}
     * lists the partitions a {@code requireStable} fetch must answer UNSTABLE_OFFSET_COMMIT.
     */
    public record OffsetsResult(
            Errors error, Map<TopicPartition, CommittedOffset> offsets, Set<TopicPartition> unstable)
            implements VarveSerializable {

        public OffsetsResult(Errors error, Map<TopicPartition, CommittedOffset> offsets) {
            this(error, offsets, Set.of());
        }
    }

    public record OffsetDeleteResult(Errors error, Map<TopicPartition, Errors> partitions)
            implements VarveSerializable {}

    /**
     * @param metadata this node's metadata: the group removes offsets of topics that are not in it
     *     (deleted), as Kafka does when a topic is deleted
     */
    public static Behavior<Command> create(String groupId, GroupSettings settings, MetadataCache metadata) {
        if (!GroupIds.isHashed(GroupIds.persistenceKey(groupId))) {
            return GroupEntity.create(groupId, settings, metadata);
        }
        // the persistence id is a hash: record the full id where ListGroups finds it
        return Behaviors.setup(context -> {
            context.spawn(GroupNameRecord.create(groupId), "name");
            return GroupEntity.create(groupId, settings, metadata);
        });
    }

    /**
     * Starts the "group" entity type on this node's sharding, its shards placed by {@code allocation}.
     * Entity ids are {@link GroupIds#entityId}: any group id a client can send works, the empty one
     * included.
     */
    public static ActorRef<ShardingEnvelope<Command>> initSharding(
            ActorSystem<?> system,
            GroupSettings settings,
            MetadataCache metadata,
            ShardCoordinator.ShardAllocationStrategy allocation) {
        return ClusterSharding.get(system)
                .init(Entity.of(
                                ENTITY_TYPE,
                                context -> create(GroupIds.groupIdOfEntity(context.getEntityId()), settings, metadata))
                        .withAllocationStrategy(allocation));
    }
}
