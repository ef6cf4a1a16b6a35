package io.varve.transport.api.group;

import io.varve.group.CommittedOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.Errors;

/** Builds OffsetFetch response sections; a null offset is "no committed offset" (-1). */
final class OffsetFetchResponses {
    private OffsetFetchResponses() {}

    static OffsetFetchResponseData.OffsetFetchResponseGroup group(
            String groupId, Map<TopicPartition, CommittedOffset> offsets) {
        Map<String, OffsetFetchResponseData.OffsetFetchResponseTopics> topics = new LinkedHashMap<>();
        offsets.forEach((tp, offset) -> topics.computeIfAbsent(
                        tp.topic(), name -> new OffsetFetchResponseData.OffsetFetchResponseTopics().setName(name))
                .partitions()
                .add(new OffsetFetchResponseData.OffsetFetchResponsePartitions()
                        .setPartitionIndex(tp.partition())
                        .setCommittedOffset(offset == null ? -1L : offset.offset())
                        .setCommittedLeaderEpoch(offset == null ? -1 : offset.leaderEpoch())
                        .setMetadata(offset == null ? "" : offset.metadata())
                        .setErrorCode(Errors.NONE.code())));
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
