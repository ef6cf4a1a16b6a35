package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData.DescribableLogDirTopic;
import org.apache.kafka.common.message.DescribeLogDirsRequestData.DescribableLogDirTopicCollection;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsPartition;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsResult;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeLogDirsResponse;

/**
 * DescribeLogDirs v1+: the one log directory with the asked partitions and their sizes (the
 * written bytes), total and usable bytes from v4; every topic for a null topic list.
 */
final class DescribeLogDirsSweep implements VersionScenario {

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String topic = name("log-dirs", version);
        Uuid topicId = sweep.createTopic(topic, 2);
        sweep.produce(topic, topicId, 0, "a", "b");

        DescribableLogDirTopicCollection topics = new DescribableLogDirTopicCollection();
        topics.add(new DescribableLogDirTopic().setTopic(topic).setPartitions(List.of(0, 1)));
        DescribeLogDirsResponse answer = describe(sweep, version, topics);
        assertThat(Errors.forCode(answer.data().errorCode())).isEqualTo(Errors.NONE);
        assertThat(answer.data().results()).hasSize(1);
        DescribeLogDirsResult dir = answer.data().results().get(0);
        assertThat(Errors.forCode(dir.errorCode())).isEqualTo(Errors.NONE);
        assertThat(dir.logDir()).isNotBlank();
        if (version >= 4) {
            assertThat(dir.totalBytes()).isPositive();
            assertThat(dir.usableBytes()).isPositive();
        } else {
            assertThat(dir.totalBytes()).isEqualTo(-1L);
        }
        assertThat(dir.topics()).extracting(DescribeLogDirsTopic::name).containsExactly(topic);
        List<DescribeLogDirsPartition> partitions = dir.topics().get(0).partitions();
        assertThat(partitions)
                .extracting(DescribeLogDirsPartition::partitionIndex)
                .containsExactlyInAnyOrder(0, 1);
        for (DescribeLogDirsPartition partition : partitions) {
            assertThat(partition.partitionSize())
                    .isEqualTo(
                            partition.partitionIndex() == 0
                                    ? SweepContext.batch("a", "b").sizeInBytes()
                                    : 0L);
            assertThat(partition.isFutureKey()).isFalse();
        }

        DescribeLogDirsResponse all = describe(sweep, version, null);
        assertThat(all.data().results().get(0).topics())
                .extracting(DescribeLogDirsTopic::name)
                .contains(topic);
    }

    private static DescribeLogDirsResponse describe(
            SweepContext sweep, short version, DescribableLogDirTopicCollection topics) throws Exception {
        return sweep.client()
                .send(ApiKeys.DESCRIBE_LOG_DIRS, version, new DescribeLogDirsRequestData().setTopics(topics));
    }
}
