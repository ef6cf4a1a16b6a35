package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData.Cursor;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData.TopicRequest;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeTopicPartitionsResponse;

/**
 * DescribeTopicPartitions v0 (KIP-966): two topics paged two partitions at a time with the next
 * cursor, each topic's id and authorized operations (all of them, no authorizer), and
 * UNKNOWN_TOPIC_OR_PARTITION for a topic that does not exist.
 */
final class DescribeTopicPartitionsSweep implements VersionScenario {

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String first = name("dtp-a", version);
        String second = name("dtp-b", version);
        Uuid firstId = sweep.createTopic(first, 3);
        Uuid secondId = sweep.createTopic(second, 1);
        List<TopicRequest> topics = List.of(new TopicRequest().setName(first), new TopicRequest().setName(second));

        DescribeTopicPartitionsResponse page1 = describe(sweep, version, topics, null);
        assertThat(partitions(page1)).containsExactly(first + "-0", first + "-1");
        assertThat(page1.data().nextCursor().topicName()).isEqualTo(first);
        assertThat(page1.data().nextCursor().partitionIndex()).isEqualTo(2);
        DescribeTopicPartitionsResponseTopic described = page1.data().topics().find(first);
        assertThat(described.topicId()).isEqualTo(firstId);
        assertThat(described.topicAuthorizedOperations()).isEqualTo(MetadataSweep.TOPIC_OPERATIONS);
        for (DescribeTopicPartitionsResponsePartition partition : described.partitions()) {
            assertThat(partition.leaderId()).isEqualTo(sweep.nodeId());
            assertThat(partition.replicaNodes()).containsExactly(sweep.nodeId());
            assertThat(partition.isrNodes()).containsExactly(sweep.nodeId());
        }

        DescribeTopicPartitionsResponse page2 = describe(
                sweep, version, topics, new Cursor().setTopicName(first).setPartitionIndex(2));
        assertThat(partitions(page2)).containsExactly(first + "-2", second + "-0");
        assertThat(page2.data().topics().find(second).topicId()).isEqualTo(secondId);
        assertThat(page2.data().nextCursor()).isNull();

        String missing = name("dtp-missing", version);
        DescribeTopicPartitionsResponse unknown =
                describe(sweep, version, List.of(new TopicRequest().setName(missing)), null);
        assertThat(Errors.forCode(unknown.data().topics().find(missing).errorCode()))
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }

    private static DescribeTopicPartitionsResponse describe(
            SweepContext sweep, short version, List<TopicRequest> topics, Cursor cursor) throws Exception {
        return sweep.client()
                .send(
                        ApiKeys.DESCRIBE_TOPIC_PARTITIONS,
                        version,
                        new DescribeTopicPartitionsRequestData()
                                .setTopics(topics)
                                .setResponsePartitionLimit(2)
                                .setCursor(cursor));
    }

    private static List<String> partitions(DescribeTopicPartitionsResponse answer) {
        List<String> names = new ArrayList<>();
        for (DescribeTopicPartitionsResponseTopic topic : answer.data().topics()) {
            assertThat(Errors.forCode(topic.errorCode())).isEqualTo(Errors.NONE);
            for (DescribeTopicPartitionsResponsePartition partition : topic.partitions()) {
                names.add(topic.name() + "-" + partition.partitionIndex());
            }
        }
        return names;
    }
}
