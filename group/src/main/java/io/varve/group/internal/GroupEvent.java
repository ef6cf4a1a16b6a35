package io.varve.group.internal;

import io.varve.group.CommittedOffset;
import io.varve.group.classic.GroupMetadata;
import io.varve.metadata.VarveSerializable;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/** The group entity's journal events: what survives a restart of the group. */
public sealed interface GroupEvent extends VarveSerializable {

    /**
     * A generation became stable, or the group became empty (Kafka's group metadata record), at
     * {@code timestampMs}: the retention of an empty group's offsets counts from it.
     */
    record GroupMetadataStored(GroupMetadata metadata, long timestampMs) implements GroupEvent {}

    /** Offsets accepted in one OffsetCommit, stamped with the commit time. */
    record OffsetsCommitted(Map<TopicPartition, CommittedOffset> offsets) implements GroupEvent {}

    /** Offsets removed by OffsetDelete, because their topic was deleted, or because they expired. */
    record OffsetsDeleted(List<TopicPartition> partitions) implements GroupEvent {}

    /** Offsets a producer committed in its open transaction (TxnOffsetCommit), pending until its marker. */
    record TxnOffsetsStaged(long producerId, Map<TopicPartition, CommittedOffset> offsets) implements GroupEvent {}

    /** The producer's transaction ended: its pending offsets became the committed ones, or were dropped. */
    record TxnOffsetsCompleted(long producerId, boolean commit) implements GroupEvent {}

    /**
     * DeleteGroups, or an empty group whose offsets all expired: the group and its offsets are gone;
     * the id may be used again.
     */
    record GroupDeleted(int generationId) implements GroupEvent {}
}
