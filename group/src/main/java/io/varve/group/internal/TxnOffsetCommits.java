package io.varve.group.internal;

import io.varve.group.CommittedOffset;
import io.varve.group.GroupCoordinator.CommitTxnOffsets;
import io.varve.group.GroupCoordinator.CompleteTxnOffsets;
import io.varve.group.classic.ClassicGroup;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * The group's side of transactions (KIP-98, KIP-447), as Kafka's group coordinator handles them:
 * TxnOffsetCommit stages offsets per producer, the transaction coordinator's marker commits or
 * drops them, and a {@code require_stable} OffsetFetch reports partitions with staged offsets as
 * unstable. The member and generation of a TxnOffsetCommit are checked like an OffsetCommit's when
 * given; a producer without group metadata (generation -1, no member) commits as a standalone one.
 * Stateless: decisions as events for the {@link GroupEntity} to persist.
 */
final class TxnOffsetCommits {
    private TxnOffsetCommits() {}

    /** The validation error of a TxnOffsetCommit, or NONE. */
    static Errors validate(GroupRecord state, ClassicGroup group, CommitTxnOffsets command) {
        if (command.generationId() < 0
                && (command.memberId() == null || command.memberId().isEmpty())) {
            return Errors.NONE;
        }
        if (!state.exists() && !group.hasMembers()) {
            return Errors.ILLEGAL_GENERATION;
        }
        return group.validateOffsetCommit(command.memberId(), command.groupInstanceId(), command.generationId());
    }

    /** The offsets to stage, stamped with the commit time. */
    static GroupEvent.TxnOffsetsStaged staged(CommitTxnOffsets command, long nowMs) {
        Map<TopicPartition, CommittedOffset> stamped = new HashMap<>();
        command.offsets().forEach((partition, offset) -> stamped.put(partition, offset.committedAt(nowMs)));
        return new GroupEvent.TxnOffsetsStaged(command.producerId(), Map.copyOf(stamped));
    }

    /**
     * The marker's event; a marker for a producer with nothing staged here changes nothing (it is a
     * retry, or the transaction committed no offsets of this group).
     */
    static List<GroupEvent> completed(GroupRecord state, CompleteTxnOffsets marker) {
        if (!state.pendingTxnOffsets().containsKey(marker.producerId())) {
            return List.of();
        }
        return List.of(new GroupEvent.TxnOffsetsCompleted(marker.producerId(), marker.commit()));
    }

    /** Of {@code partitions} (every committed or pending one when {@code all}), those an open transaction holds. */
    static Set<TopicPartition> unstable(GroupRecord state, boolean all, List<TopicPartition> partitions) {
        Set<TopicPartition> unstable = new HashSet<>();
        if (all) {
            state.pendingTxnOffsets().values().forEach(pending -> unstable.addAll(pending.keySet()));
        } else {
            partitions.stream().filter(state::hasPendingTxnOffset).forEach(unstable::add);
        }
        return Set.copyOf(unstable);
    }
}
