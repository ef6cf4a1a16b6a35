package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsTopic;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteRecordsResponse;

/**
 * DeleteRecords v0+: the log start moves to the given offset (the low watermark answered), -1 means
 * the high watermark, and Kafka's errors: OFFSET_OUT_OF_RANGE past the high watermark,
 * UNKNOWN_TOPIC_OR_PARTITION.
 */
final class DeleteRecordsSweep implements VersionScenario {

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String topic = name("delete-records", version);
        Uuid topicId = sweep.createTopic(topic, 2);
        sweep.produce(topic, topicId, 0, "a", "b", "c", "d", "e");
        sweep.produce(topic, topicId, 1, "f", "g");

        assertThat(delete(sweep, version, topic, 0, 2L)).isEqualTo("NONE@2");
        assertThat(delete(sweep, version, topic, 1, -1L)).isEqualTo("NONE@2");
        assertThat(delete(sweep, version, topic, 0, 10L)).isEqualTo("OFFSET_OUT_OF_RANGE@-1");
        assertThat(delete(sweep, version, topic, 5, 1L)).isEqualTo("UNKNOWN_TOPIC_OR_PARTITION@-1");
        assertThat(delete(sweep, version, name("delete-records-missing", version), 0, 1L))
                .isEqualTo("UNKNOWN_TOPIC_OR_PARTITION@-1");
    }

    /** "ERROR@lowWatermark" for one partition. */
    private static String delete(SweepContext sweep, short version, String topic, int partition, long offset)
            throws Exception {
        DeleteRecordsResponse answer = sweep.client()
                .send(
                        ApiKeys.DELETE_RECORDS,
                        version,
                        new DeleteRecordsRequestData()
                                .setTimeoutMs(30_000)
                                .setTopics(List.of(new DeleteRecordsTopic()
                                        .setName(topic)
                                        .setPartitions(List.of(new DeleteRecordsPartition()
                                                .setPartitionIndex(partition)
                                                .setOffset(offset))))));
        DeleteRecordsPartitionResult result =
                answer.data().topics().iterator().next().partitions().iterator().next();
        assertThat(result.partitionIndex()).isEqualTo(partition);
        return Errors.forCode(result.errorCode()) + "@" + result.lowWatermark();
    }
}
