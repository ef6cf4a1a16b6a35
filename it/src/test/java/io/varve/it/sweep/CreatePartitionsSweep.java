package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsAssignment;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreatePartitionsResponse;

/**
 * CreatePartitions v0+: growing a topic (no assignments, as clients send, or an explicit one),
 * validate-only (no change), and Kafka's errors: INVALID_REPLICA_ASSIGNMENT for an empty assignment
 * list, INVALID_PARTITIONS for fewer partitions, UNKNOWN_TOPIC_OR_PARTITION.
 */
final class CreatePartitionsSweep implements VersionScenario {

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String topic = name("partitions", version);
        sweep.createTopic(topic, 1);

        assertThat(grow(
                        sweep,
                        version,
                        false,
                        new CreatePartitionsTopic().setName(topic).setCount(3).setAssignments(null)))
                .isEqualTo(Errors.NONE);
        assertThat(sweep.awaitPartitionCount(topic, 3)).isEqualTo(3);
        assertThat(grow(
                        sweep,
                        version,
                        true,
                        new CreatePartitionsTopic().setName(topic).setCount(5).setAssignments(null)))
                .isEqualTo(Errors.NONE);
        assertThat(sweep.awaitPartitionCount(topic, 3)).isEqualTo(3);
        List<CreatePartitionsAssignment> assignments = new ArrayList<>();
        assignments.add(new CreatePartitionsAssignment().setBrokerIds(List.of(sweep.nodeId())));
        assertThat(grow(
                        sweep,
                        version,
                        false,
                        new CreatePartitionsTopic().setName(topic).setCount(4).setAssignments(assignments)))
                .isEqualTo(Errors.NONE);
        assertThat(sweep.awaitPartitionCount(topic, 4)).isEqualTo(4);
        // an empty assignment list is an assignment of none: Kafka refuses it
        assertThat(grow(
                        sweep,
                        version,
                        false,
                        new CreatePartitionsTopic().setName(topic).setCount(6).setAssignments(new ArrayList<>())))
                .isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT);

        assertThat(grow(
                        sweep,
                        version,
                        false,
                        new CreatePartitionsTopic().setName(topic).setCount(2).setAssignments(null)))
                .isEqualTo(Errors.INVALID_PARTITIONS);
        assertThat(grow(
                        sweep,
                        version,
                        false,
                        new CreatePartitionsTopic()
                                .setName(name("partitions-missing", version))
                                .setCount(2)
                                .setAssignments(null)))
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }

    private static Errors grow(SweepContext sweep, short version, boolean validateOnly, CreatePartitionsTopic topic)
            throws Exception {
        CreatePartitionsRequestData.CreatePartitionsTopicCollection topics =
                new CreatePartitionsRequestData.CreatePartitionsTopicCollection();
        topics.add(topic);
        CreatePartitionsResponse answer = sweep.client()
                .send(
                        ApiKeys.CREATE_PARTITIONS,
                        version,
                        new CreatePartitionsRequestData()
                                .setTopics(topics)
                                .setTimeoutMs(30_000)
                                .setValidateOnly(validateOnly));
        assertThat(answer.data().results()).hasSize(1);
        CreatePartitionsTopicResult result = answer.data().results().get(0);
        assertThat(result.name()).isEqualTo(topic.name());
        return Errors.forCode(result.errorCode());
    }
}
