package io.varve.group.internal;

import io.varve.group.CommittedOffset;
import io.varve.group.classic.GroupMetadata;
import io.varve.metadata.VarveSerializable;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/** The group entity's journal events: what survives a restart of the group. */
public sealed interface GroupEvent extends VarveSerializable {

    /** A generation became stable, or the group became empty (Kafka's group metadata record). */
    record GroupMetadataStored(GroupMetadata metadata) implements GroupEvent {}

    /** Offsets accepted in one OffsetCommit, stamped with the commit time. */
    record OffsetsCommitted(Map<TopicPartition, CommittedOffset> offsets) implements GroupEvent {}

    /** Offsets removed by OffsetDelete or because their topic was deleted. */
    record OffsetsDeleted(List<TopicPartition> partitions) implements GroupEvent {}

    /** DeleteGroups: the group and its offsets are gone; the id may be used again. */
    record GroupDeleted(int generationId) implements GroupEvent {}
}
