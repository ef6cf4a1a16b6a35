package io.varve.connectors.stream;

import java.util.Objects;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * The position after one consumed record, to commit to a consumer group with {@link VarveCommitter}.
 *
 * @param groupId the group the source reads for
 * @param tp the record's partition
 * @param offset the next offset to read (the record's offset + 1), what Kafka commits
 * @param leaderEpoch the record's leader epoch, or -1
 * @param topicId the topic's id when the record was read (commits of a deleted topic are dropped)
 */
public record CommittableOffset(String groupId, TopicPartition tp, long offset, int leaderEpoch, Uuid topicId) {
    public CommittableOffset {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(tp, "tp");
        Objects.requireNonNull(topicId, "topicId");
    }
}
