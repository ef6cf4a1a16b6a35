package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.BASE_TIMESTAMP;
import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;

/**
 * ListOffsets v1+ on a partition holding three records stamped {@code BASE_TIMESTAMP + 0, 10, 20}:
 * earliest, latest (also read_committed from v2), by timestamp (exact, between two records, past the
 * last), and the special timestamps from the version that introduced each (max timestamp v7,
 * earliest local v8, latest tiered v9, earliest pending upload v11); before that version, or for a
 * negative timestamp Kafka does not know, Kafka answers UNSUPPORTED_VERSION. The leader epoch is in
 * the answer from v4 only. Errors: unknown topic or partition, a partition asked twice
 * (INVALID_REQUEST), a newer current leader epoch (UNKNOWN_LEADER_EPOCH, v4+).
 */
final class ListOffsetsSweep implements VersionScenario {
    private static final short FIRST_LEADER_EPOCH_VERSION = 4;
    private static final short FIRST_ISOLATION_VERSION = 2;
    /** Kafka's first version for each special timestamp (ReplicaManager's timestampMinSupportedVersion). */
    private static final Map<Long, Short> SPECIAL_TIMESTAMP_VERSIONS = Map.of(
            ListOffsetsRequest.MAX_TIMESTAMP, (short) 7,
            ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP, (short) 8,
            ListOffsetsRequest.LATEST_TIERED_TIMESTAMP, (short) 9,
            ListOffsetsRequest.EARLIEST_PENDING_UPLOAD_TIMESTAMP, (short) 11);

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String topic = name("list-offsets", version);
        Uuid topicId = sweep.createTopic(topic, 1);
        sweep.produce(topic, topicId, 0, "a", "b", "c");
        Lister lister = new Lister(sweep, version, topic);

        lister.assertFound(ListOffsetsRequest.EARLIEST_TIMESTAMP, -1L, 0L);
        lister.assertFound(ListOffsetsRequest.LATEST_TIMESTAMP, -1L, 3L);
        lister.assertFound(BASE_TIMESTAMP + 10, BASE_TIMESTAMP + 10, 1L);
        lister.assertFound(BASE_TIMESTAMP + 15, BASE_TIMESTAMP + 20, 2L);
        lister.assertNone(BASE_TIMESTAMP + 1_000);
        if (version >= FIRST_ISOLATION_VERSION) {
            ListOffsetsPartitionResponse committed =
                    lister.list(0, ListOffsetsRequest.LATEST_TIMESTAMP, -1, IsolationLevel.READ_COMMITTED);
            assertThat(committed.offset()).isEqualTo(3L);
        }

        Map<Long, long[]> special = Map.of(
                ListOffsetsRequest.MAX_TIMESTAMP, new long[] {BASE_TIMESTAMP + 20, 2L},
                ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP, new long[] {-1L, 0L});
        for (Map.Entry<Long, Short> entry : SPECIAL_TIMESTAMP_VERSIONS.entrySet()) {
            long timestamp = entry.getKey();
            if (version < entry.getValue()) {
                lister.assertError(
                        lister.list(0, timestamp, -1, IsolationLevel.READ_UNCOMMITTED), Errors.UNSUPPORTED_VERSION);
            } else if (special.containsKey(timestamp)) {
                lister.assertFound(timestamp, special.get(timestamp)[0], special.get(timestamp)[1]);
            } else {
                lister.assertNone(timestamp); // no tiered storage: Kafka answers offset -1
            }
        }
        lister.assertError(lister.list(0, -7L, -1, IsolationLevel.READ_UNCOMMITTED), Errors.UNSUPPORTED_VERSION);

        lister.assertError(
                lister.list(5, ListOffsetsRequest.LATEST_TIMESTAMP, -1, IsolationLevel.READ_UNCOMMITTED),
                Errors.UNKNOWN_TOPIC_OR_PARTITION);
        Lister missing = new Lister(sweep, version, name("list-offsets-missing", version));
        missing.assertError(
                missing.list(0, ListOffsetsRequest.LATEST_TIMESTAMP, -1, IsolationLevel.READ_UNCOMMITTED),
                Errors.UNKNOWN_TOPIC_OR_PARTITION);
        if (version >= FIRST_LEADER_EPOCH_VERSION) {
            lister.assertError(
                    lister.list(0, ListOffsetsRequest.LATEST_TIMESTAMP, 99, IsolationLevel.READ_UNCOMMITTED),
                    Errors.UNKNOWN_LEADER_EPOCH);
        }
        onDuplicatePartition(lister);
    }

    private static void onDuplicatePartition(Lister lister) throws Exception {
        ListOffsetsTopic topic = new ListOffsetsTopic()
                .setName(lister.topic())
                .setPartitions(List.of(
                        new ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-1L),
                        new ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-2L)));
        ListOffsetsResponse response = lister.send(List.of(topic), IsolationLevel.READ_UNCOMMITTED);
        List<ListOffsetsPartitionResponse> answers =
                response.data().topics().get(0).partitions();
        assertThat(answers).isNotEmpty().allSatisfy(answer -> assertThat(Errors.forCode(answer.errorCode()))
                .isEqualTo(Errors.INVALID_REQUEST));
    }

    private record Lister(SweepContext sweep, short version, String topic) {
        ListOffsetsPartitionResponse list(
                int partition, long timestamp, int currentLeaderEpoch, IsolationLevel isolation) throws Exception {
            ListOffsetsPartition asked =
                    new ListOffsetsPartition().setPartitionIndex(partition).setTimestamp(timestamp);
            if (version >= FIRST_LEADER_EPOCH_VERSION) {
                asked.setCurrentLeaderEpoch(currentLeaderEpoch);
            }
            ListOffsetsResponse response =
                    send(List.of(new ListOffsetsTopic().setName(topic).setPartitions(List.of(asked))), isolation);
            assertThat(response.data().topics()).hasSize(1);
            ListOffsetsTopicResponse answer = response.data().topics().get(0);
            assertThat(answer.name()).isEqualTo(topic);
            assertThat(answer.partitions()).hasSize(1);
            assertThat(answer.partitions().get(0).partitionIndex()).isEqualTo(partition);
            return answer.partitions().get(0);
        }

        ListOffsetsResponse send(List<ListOffsetsTopic> topics, IsolationLevel isolation) throws Exception {
            ListOffsetsRequestData request = new ListOffsetsRequestData()
                    .setReplicaId(-1)
                    .setTopics(topics)
                    .setTimeoutMs(30_000);
            if (version >= FIRST_ISOLATION_VERSION) {
                request.setIsolationLevel(isolation.id());
            }
            return sweep.client().send(ApiKeys.LIST_OFFSETS, version, request);
        }

        void assertFound(long timestamp, long foundTimestamp, long offset) throws Exception {
            ListOffsetsPartitionResponse answer = list(0, timestamp, -1, IsolationLevel.READ_UNCOMMITTED);
            assertError(answer, Errors.NONE);
            assertThat(answer.offset()).as("offset for timestamp %d", timestamp).isEqualTo(offset);
            assertThat(answer.timestamp())
                    .as("timestamp for timestamp %d", timestamp)
                    .isEqualTo(foundTimestamp);
            assertThat(answer.leaderEpoch()).isEqualTo(version >= FIRST_LEADER_EPOCH_VERSION ? 0 : -1);
        }

        void assertNone(long timestamp) throws Exception {
            ListOffsetsPartitionResponse answer = list(0, timestamp, -1, IsolationLevel.READ_UNCOMMITTED);
            assertError(answer, Errors.NONE);
            assertThat(answer.offset()).isEqualTo(-1L);
            assertThat(answer.timestamp()).isEqualTo(-1L);
            assertThat(answer.leaderEpoch()).isEqualTo(-1);
        }

        void assertError(ListOffsetsPartitionResponse answer, Errors error) {
            assertThat(Errors.forCode(answer.errorCode())).as("%s", answer).isEqualTo(error);
        }
    }
}
