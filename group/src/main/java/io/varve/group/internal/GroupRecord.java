package io.varve.group.internal;

import io.varve.group.CommittedOffset;
import io.varve.group.classic.GroupMetadata;
import io.varve.metadata.VarveSerializable;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The persisted state of one group (also its snapshot): the last stored generation, when it was
 * stored, the committed offsets, and the offsets open transactions committed (pending until their
 * marker). Immutable; {@link #apply} is the pure event transition.
 *
 * @param metadataTimestampMs when {@code metadata} was stored (0 if never): for a group stored
 *     without members, the time it became empty
 * @param pendingTxnOffsets by producer id, the offsets its open transaction committed
 */
public record GroupRecord(
        GroupMetadata metadata,
        long metadataTimestampMs,
        Map<TopicPartition, CommittedOffset> offsets,
        Map<Long, Map<TopicPartition, CommittedOffset>> pendingTxnOffsets)
        implements VarveSerializable {

    public static final GroupRecord EMPTY = new GroupRecord(GroupMetadata.NONE, 0, Map.of(), Map.of());

    /** A record without pending transactional offsets. */
    public GroupRecord(GroupMetadata metadata, long metadataTimestampMs, Map<TopicPartition, CommittedOffset> offsets) {
        this(metadata, metadataTimestampMs, offsets, Map.of());
    }

    /** Whether an open transaction holds offsets of {@code partition}. */
    public boolean hasPendingTxnOffset(TopicPartition partition) {
        for (Map<TopicPartition, CommittedOffset> pending : pendingTxnOffsets.values()) {
            if (pending.containsKey(partition)) {
                return true;
            }
        }
        return false;
    }

    /** Whether Kafka would say the group exists: it had members, a generation or has offsets (pending ones too). */
    public boolean exists() {
        return hasGroupMetadata() || !offsets.isEmpty() || !pendingTxnOffsets.isEmpty();
    }

    /** Whether the group ever had a generation or a protocol type (not only standalone commits). */
    public boolean hasGroupMetadata() {
        return metadata.generationId() > 0 || metadata.protocolType() != null;
    }

    public GroupRecord apply(GroupEvent event) {
        if (event instanceof GroupEvent.GroupMetadataStored stored) {
            return new GroupRecord(stored.metadata(), stored.timestampMs(), offsets, pendingTxnOffsets);
        }
        if (event instanceof GroupEvent.OffsetsCommitted committed) {
            return withOffsets(committed.offsets());
        }
        if (event instanceof GroupEvent.OffsetsDeleted deleted) {
            Map<TopicPartition, CommittedOffset> next = new HashMap<>(offsets);
            deleted.partitions().forEach(next::remove);
            return new GroupRecord(metadata, metadataTimestampMs, Map.copyOf(next), pendingTxnOffsets);
        }
        if (event instanceof GroupEvent.TxnOffsetsStaged staged) {
            Map<Long, Map<TopicPartition, CommittedOffset>> pending = new HashMap<>(pendingTxnOffsets);
            Map<TopicPartition, CommittedOffset> ofProducer =
                    new HashMap<>(pending.getOrDefault(staged.producerId(), Map.of()));
            ofProducer.putAll(staged.offsets());
            pending.put(staged.producerId(), Map.copyOf(ofProducer));
            return new GroupRecord(metadata, metadataTimestampMs, offsets, Map.copyOf(pending));
        }
        if (event instanceof GroupEvent.TxnOffsetsCompleted completed) {
            Map<Long, Map<TopicPartition, CommittedOffset>> pending = new HashMap<>(pendingTxnOffsets);
            Map<TopicPartition, CommittedOffset> ofProducer = pending.remove(completed.producerId());
            GroupRecord remaining = new GroupRecord(metadata, metadataTimestampMs, offsets, Map.copyOf(pending));
            return completed.commit() && ofProducer != null ? remaining.withOffsets(ofProducer) : remaining;
        }
        return EMPTY;
    }

    private GroupRecord withOffsets(Map<TopicPartition, CommittedOffset> committed) {
        Map<TopicPartition, CommittedOffset> next = new HashMap<>(offsets);
        next.putAll(committed);
        return new GroupRecord(metadata, metadataTimestampMs, Map.copyOf(next), pendingTxnOffsets);
    }
}
