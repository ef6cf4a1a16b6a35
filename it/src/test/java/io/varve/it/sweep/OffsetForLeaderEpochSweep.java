package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;

/**
 * OffsetForLeaderEpoch v2+ as a consumer validating its position after a leader change (KIP-320)
 * sends it: replica id -1 from v3 (the field's first version), the current leader epoch it knows
 * (every advertised version has it). On a fresh single-replica topic the only leadership is epoch 0,
 * started at offset 0, so Kafka answers: for epoch 0 (the leader's latest) the log end offset, on a
 * partition with three records and on an empty one; for an epoch above the latest, no epoch and no
 * offset (-1, -1); a current leader epoch -1 skips the check; a current leader epoch newer than the
 * leader's UNKNOWN_LEADER_EPOCH; an unknown partition or topic UNKNOWN_TOPIC_OR_PARTITION. Several
 * partitions in one request are answered each on its own.
 */
final class OffsetForLeaderEpochSweep implements VersionScenario {
    private static final short FIRST_REPLICA_ID_VERSION = 3;
    private static final int CONSUMER_REPLICA_ID = -1;
    private static final int NO_EPOCH = -1;

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String topic = name("offset-for-leader-epoch", version);
        Uuid topicId = sweep.createTopic(topic, 2);
        sweep.produce(topic, topicId, 0, "a", "b", "c");

        assertThat(ask(sweep, version, topic, 0, 0, 0)).isEqualTo("NONE epoch 0 end 3");
        assertThat(ask(sweep, version, topic, 0, NO_EPOCH, 0)).isEqualTo("NONE epoch 0 end 3");
        assertThat(ask(sweep, version, topic, 1, 0, 0)).isEqualTo("NONE epoch 0 end 0");
        assertThat(ask(sweep, version, topic, 0, 0, 7)).isEqualTo("NONE epoch -1 end -1");
        assertThat(ask(sweep, version, topic, 0, 99, 0)).isEqualTo("UNKNOWN_LEADER_EPOCH epoch -1 end -1");
        assertThat(ask(sweep, version, topic, 5, 0, 0)).isEqualTo("UNKNOWN_TOPIC_OR_PARTITION epoch -1 end -1");
        assertThat(ask(sweep, version, name("offset-for-leader-epoch-missing", version), 0, NO_EPOCH, 0))
                .isEqualTo("UNKNOWN_TOPIC_OR_PARTITION epoch -1 end -1");

        OffsetForLeaderTopicResult both = send(sweep, version, topic, List.of(partition(0, 0, 0), partition(1, 99, 0)));
        assertThat(both.partitions().stream().map(end -> end.partition() + ": " + describe(end)))
                .containsExactly("0: NONE epoch 0 end 3", "1: UNKNOWN_LEADER_EPOCH epoch -1 end -1");
    }

    /** "ERROR epoch E end O" for one partition asked on its own. */
    private static String ask(
            SweepContext sweep, short version, String topic, int partition, int currentLeaderEpoch, int leaderEpoch)
            throws Exception {
        OffsetForLeaderTopicResult answer =
                send(sweep, version, topic, List.of(partition(partition, currentLeaderEpoch, leaderEpoch)));
        assertThat(answer.partitions()).hasSize(1);
        EpochEndOffset end = answer.partitions().get(0);
        assertThat(end.partition()).isEqualTo(partition);
        return describe(end);
    }

    private static OffsetForLeaderPartition partition(int partition, int currentLeaderEpoch, int leaderEpoch) {
        return new OffsetForLeaderPartition()
                .setPartition(partition)
                .setCurrentLeaderEpoch(currentLeaderEpoch)
                .setLeaderEpoch(leaderEpoch);
    }

    private static OffsetForLeaderTopicResult send(
            SweepContext sweep, short version, String topic, List<OffsetForLeaderPartition> partitions)
            throws Exception {
        OffsetForLeaderTopicCollection topics = new OffsetForLeaderTopicCollection();
        topics.add(new OffsetForLeaderTopic().setTopic(topic).setPartitions(partitions));
        OffsetForLeaderEpochRequestData request = new OffsetForLeaderEpochRequestData().setTopics(topics);
        if (version >= FIRST_REPLICA_ID_VERSION) {
            request.setReplicaId(CONSUMER_REPLICA_ID);
        }
        OffsetsForLeaderEpochResponse response = sweep.client().send(ApiKeys.OFFSET_FOR_LEADER_EPOCH, version, request);
        assertThat(response.data().topics()).hasSize(1);
        OffsetForLeaderTopicResult answer = response.data().topics().iterator().next();
        assertThat(answer.topic()).isEqualTo(topic);
        return answer;
    }

    /** "ERROR epoch E end O". */
    private static String describe(EpochEndOffset end) {
        return Errors.forCode(end.errorCode()) + " epoch " + end.leaderEpoch() + " end " + end.endOffset();
    }
}
