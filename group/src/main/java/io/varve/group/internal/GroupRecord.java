package io.varve.group.internal;

import io.varve.group.CommittedOffset;
import io.varve.group.classic.GroupMetadata;
import io.varve.metadata.VarveSerializable;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The persisted state of one group (also its snapshot): the last stored generation, when it was
 * stored, and the committed offsets. Immutable; {@link #apply} is the pure event transition.
 *
 * @param metadataTimestampMs when {@code metadata} was stored (0 if never): for a group stored
 *     without members, the time it became empty
 */
public record GroupRecord(
        GroupMetadata metadata, long metadataTimestampMs, Map<TopicPartition, CommittedOffset> offsets)
        implements VarveSerializable {

    public static final GroupRecord EMPTY = new GroupRecord(GroupMetadata.NONE, 0, Map.of());

    /** Whether Kafka would say the group exists: it had members, a generation or has offsets. */
    public boolean exists() {
        return hasGroupMetadata() || !offsets.isEmpty();
    }

    /** Whether the group ever had a generation or a protocol type (not only standalone commits). */
    public boolean hasGroupMetadata() {
        return metadata.generationId() > 0 || metadata.protocolType() != null;
    }

    public GroupRecord apply(GroupEvent event) {
        if (event instanceof GroupEvent.GroupMetadataStored stored) {
            return new GroupRecord(stored.metadata(), stored.timestampMs(), offsets);
        }
        if (event instanceof GroupEvent.OffsetsCommitted committed) {
            Map<TopicPartition, CommittedOffset> next = new HashMap<>(offsets);
            next.putAll(committed.offsets());
            return new GroupRecord(metadata, metadataTimestampMs, Map.copyOf(next));
        }
        if (event instanceof GroupEvent.OffsetsDeleted deleted) {
            Map<TopicPartition, CommittedOffset> next = new HashMap<>(offsets);
            deleted.partitions().forEach(next::remove);
            return new GroupRecord(metadata, metadataTimestampMs, Map.copyOf(next));
        }
        return EMPTY;
    }
}
