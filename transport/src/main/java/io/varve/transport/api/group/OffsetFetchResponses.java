package io.varve.transport.api.group;

import io.varve.group.CommittedOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.Errors;

/** Builds OffsetFetch response sections; a null offset is "no committed offset" (-1). */
final class OffsetFetchResponses {
    private OffsetFetchResponses() {}

    static OffsetFetchResponseData.OffsetFetchResponseGroup group(
            String groupId, Map<TopicPartition, CommittedOffset> offsets) {
        return group(groupId, offsets, Set.of());
    }

    /** {@code unstable} partitions are UNSTABLE_OFFSET_COMMIT with no offset (KIP-447's require_stable). */
    static OffsetFetchResponseData.OffsetFetchResponseGroup group(
            String groupId, Map<TopicPartition, CommittedOffset> offsets, Set<TopicPartition> unstable) {
        Map<String, OffsetFetchResponseData.OffsetFetchResponseTopics> topics = new LinkedHashMap<>();
        Map<TopicPartition, CommittedOffset> answered = new LinkedHashMap<>(offsets);
        unstable.forEach(tp -> answered.putIfAbsent(tp, null));
        answered.forEach((tp, found) -> {
            boolean isUnstable = unstable.contains(tp);
            CommittedOffset offset = isUnstable ? null : found;
            topics.computeIfAbsent(
                            tp.topic(), name -> new OffsetFetchResponseData.OffsetFetchResponseTopics().setName(name))
                    .partitions()
                    .add(new OffsetFetchResponseData.OffsetFetchResponsePartitions()
                            .setPartitionIndex(tp.partition())
                            .setCommittedOffset(offset == null ? -1L : offset.offset())
                            .setCommittedLeaderEpoch(offset == null ? -1 : offset.leaderEpoch())
                            .setMetadata(offset == null ? "" : offset.metadata())
                            .setErrorCode(isUnstable ? Errors.UNSTABLE_OFFSET_COMMIT.code() : Errors.NONE.code()));
        });
        OffsetFetchResponseData.OffsetFetchResponseGroup group =
                new OffsetFetchResponseData.OffsetFetchResponseGroup().setGroupId(groupId);
        topics.values().forEach(group.topics()::add);
        return group;
    }

    /** The same topic in the single-group layout of OffsetFetch v1–7. */
    static OffsetFetchResponseData.OffsetFetchResponseTopic toSingleGroupTopic(
            OffsetFetchResponseData.OffsetFetchResponseTopics topic) {
        OffsetFetchResponseData.OffsetFetchResponseTopic out =
                new OffsetFetchResponseData.OffsetFetchResponseTopic().setName(topic.name());
        topic.partitions().forEach(p -> out.partitions()
                .add(new OffsetFetchResponseData.OffsetFetchResponsePartition()
                        .setPartitionIndex(p.partitionIndex())
                        .setCommittedOffset(p.committedOffset())
                        .setCommittedLeaderEpoch(p.committedLeaderEpoch())
                        .setMetadata(p.metadata())
                        .setErrorCode(p.errorCode())));
        return out;
    }
}
