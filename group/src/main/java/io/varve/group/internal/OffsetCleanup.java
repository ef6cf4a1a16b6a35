package io.varve.group.internal;

import io.varve.group.CommittedOffset;
import io.varve.group.classic.ClassicGroup;
import io.varve.group.classic.GroupState;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.TopicImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * Kafka's offset cleanup for one group, run by the group entity before every command rather than
 * on a coordinator-wide timer, so nobody can observe an offset Kafka would have removed:
 *
 * <ul>
 *   <li><b>Deleted topics.</b> An offset whose topic is not in the node's metadata image, or is
 *       there under another topic id (deleted and created again), is removed.
 *   <li><b>Retention</b> ({@code offsets.retention.minutes}, KIP-211). A group that never had
 *       members (standalone commits): each offset expires this long after its commit. An empty
 *       group with a protocol: all offsets expire this long after the group became empty. A stable
 *       consumer group: offsets of topics no member subscribes to expire this long after their
 *       commit. Other states keep every offset.
 *   <li><b>Dead groups.</b> An empty group left without offsets by this cleanup, or empty without
 *       offsets for the retention period, is deleted (Kafka writes its tombstone).
 * </ul>
 *
 * A pure function of the persisted record, the live group, the image and the time.
 */
final class OffsetCleanup {
    private static final long NEVER = Long.MAX_VALUE;

    private OffsetCleanup() {}

    /** The events that apply the cleanup, in order; empty when nothing is due. */
    static List<GroupEvent> events(
            GroupRecord state, ClassicGroup group, MetadataImage image, long nowMs, long retentionMs) {
        ExpiryBase base = expiryBase(state, group);
        List<TopicPartition> removed = new ArrayList<>();
        for (Map.Entry<TopicPartition, CommittedOffset> entry : state.offsets().entrySet()) {
            TopicPartition partition = entry.getKey();
            CommittedOffset offset = entry.getValue();
            long baseMs = base.timestampMs(partition, offset);
            boolean expired = baseMs != NEVER && nowMs - baseMs >= retentionMs;
            if (expired || isTopicDeleted(partition.topic(), offset.topicId(), image)) {
                removed.add(partition);
            }
        }
        List<GroupEvent> events = new ArrayList<>();
        if (!removed.isEmpty()) {
            events.add(new GroupEvent.OffsetsDeleted(List.copyOf(removed)));
        }
        boolean empty = group.state() == GroupState.EMPTY && !group.hasMembers();
        // offsets an open transaction holds keep the group, as in Kafka
        boolean noOffsetsLeft = removed.size() == state.offsets().size()
                && state.pendingTxnOffsets().isEmpty();
        if (empty
                && noOffsetsLeft
                && state.hasGroupMetadata()
                && (!removed.isEmpty() || isEmptyFor(state, nowMs, retentionMs))) {
            events.add(new GroupEvent.GroupDeleted(state.metadata().generationId()));
        }
        return events;
    }

    /**
     * Whether the topic of an offset is gone from {@code image}. Nothing is judged before the node
     * has its first image from the controller.
     */
    static boolean isTopicDeleted(String topic, Uuid committedTopicId, MetadataImage image) {
        if (image.offset() < 0) {
            return false;
        }
        Optional<TopicImage> current = image.topic(topic);
        if (current.isEmpty()) {
            return true;
        }
        return committedTopicId != null
                && !Uuid.ZERO_UUID.equals(committedTopicId)
                && !committedTopicId.equals(current.get().topicId());
    }

    private static boolean isEmptyFor(GroupRecord state, long nowMs, long retentionMs) {
        return state.metadata().members().isEmpty()
                && state.metadataTimestampMs() > 0
                && nowMs - state.metadataTimestampMs() >= retentionMs;
    }

    /** From when an offset's retention counts, or {@link #NEVER}. */
    private interface ExpiryBase {
        long timestampMs(TopicPartition partition, CommittedOffset offset);
    }

    private static ExpiryBase expiryBase(GroupRecord state, ClassicGroup group) {
        if (group.protocolType() == null) {
            return (partition, offset) -> offset.commitTimestampMs();
        }
        if (group.state() == GroupState.EMPTY) {
            boolean storedEmpty = state.metadata().members().isEmpty() && state.metadataTimestampMs() > 0;
            long emptySinceMs = state.metadataTimestampMs();
            return (partition, offset) -> storedEmpty ? emptySinceMs : offset.commitTimestampMs();
        }
        if (group.state() == GroupState.STABLE && ConsumerProtocol.PROTOCOL_TYPE.equals(group.protocolType())) {
            Optional<Set<String>> subscribed = Subscriptions.topics(group);
            if (subscribed.isPresent()) {
                Set<String> topics = subscribed.get();
                return (partition, offset) -> topics.contains(partition.topic()) ? NEVER : offset.commitTimestampMs();
            }
        }
        return (partition, offset) -> NEVER;
    }
}
