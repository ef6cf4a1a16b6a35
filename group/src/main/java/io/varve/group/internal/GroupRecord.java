package io.varve.group.internal;

import io.varve.group.CommittedOffset;
import io.varve.group.classic.GroupMetadata;
import io.varve.metadata.VarveSerializable;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The persisted state of one group (also its snapshot): the last stored generation and the
 * committed offsets. Immutable; {@link #apply} is the pure event transition.
 */
public record GroupRecord(GroupMetadata metadata, Map<TopicPartition, CommittedOffset> offsets)
        implements VarveSerializable {

    public static final GroupRecord EMPTY = new GroupRecord(GroupMetadata.NONE, Map.of());

    /** Whether Kafka would say the group exists: it had members, a generation or has offsets. */
    public boolean exists() {
        return metadata.generationId() > 0 || metadata.protocolType() != null || !offsets.isEmpty();
    }

    public GroupRecord apply(GroupEvent event) {
        if (event instanceof GroupEvent.GroupMetadataStored stored) {
            return new GroupRecord(stored.metadata(), offsets);
        }
        if (event instanceof GroupEvent.OffsetsCommitted committed) {
            Map<TopicPartition, CommittedOffset> next = new HashMap<>(offsets);
            next.putAll(committed.offsets());
            return new GroupRecord(metadata, Map.copyOf(next));
        }
        if (event instanceof GroupEvent.OffsetsDeleted deleted) {
            Map<TopicPartition, CommittedOffset> next = new HashMap<>(offsets);
            deleted.partitions().forEach(next::remove);
            return new GroupRecord(metadata, Map.copyOf(next));
        }
        return EMPTY;
    }
}
