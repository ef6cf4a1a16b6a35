package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignablePartition;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignableTopic;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData.ListPartitionReassignmentsTopics;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterPartitionReassignmentsResponse;
import org.apache.kafka.common.requests.ListPartitionReassignmentsResponse;

/**
 * AlterPartitionReassignments v0+ and ListPartitionReassignments v0 on one broker: a partition
 * "moved" to the replica it already has answers NONE and starts no move; duplicate replicas and an
 * unregistered broker are INVALID_REPLICA_ASSIGNMENT, a partition or topic that does not exist is
 * UNKNOWN_TOPIC_OR_PARTITION, cancelling a partition that is not moving NO_REASSIGNMENT_IN_PROGRESS;
 * v1 echoes AllowReplicationFactorChange. ListPartitionReassignments lists no move, for the named
 * partitions or for all.
 */
final class PartitionReassignmentsSweep implements VersionScenario {
    private final ApiKeys key;

    PartitionReassignmentsSweep(ApiKeys key) {
        this.key = key;
    }

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String topic = name("reassign-" + key.id, version);
        sweep.createTopic(topic, 4);
        if (key == ApiKeys.ALTER_PARTITION_REASSIGNMENTS) {
            alter(sweep, version, topic);
        } else {
            list(sweep, version, topic);
        }
    }

    private static void alter(SweepContext sweep, short version, String topic) throws Exception {
        int self = sweep.nodeId();
        AlterPartitionReassignmentsRequestData request = new AlterPartitionReassignmentsRequestData();
        if (version >= 1) {
            request.setAllowReplicationFactorChange(false);
        }
        request.topics()
                .add(new ReassignableTopic()
                        .setName(topic)
                        .setPartitions(List.of(
                                partition(0, List.of(self)),
                                partition(1, List.of(self, self)),
                                partition(2, List.of(self + 100)),
                                partition(3, null),
                                partition(9, List.of(self)))));
        request.topics()
                .add(new ReassignableTopic()
                        .setName(topic + "-missing")
                        .setPartitions(List.of(partition(0, List.of(self)))));
        AlterPartitionReassignmentsResponse answer =
                sweep.client().send(ApiKeys.ALTER_PARTITION_REASSIGNMENTS, version, request);

        assertThat(Errors.forCode(answer.data().errorCode())).isEqualTo(Errors.NONE);
        List<String> results = new ArrayList<>();
        answer.data().responses().forEach(t -> t.partitions()
                .forEach(p -> results.add(t.name() + "-" + p.partitionIndex() + " " + Errors.forCode(p.errorCode()))));
        assertThat(results)
                .containsExactly(
                        topic + "-0 NONE",
                        topic + "-1 INVALID_REPLICA_ASSIGNMENT",
                        topic + "-2 INVALID_REPLICA_ASSIGNMENT",
                        topic + "-3 NO_REASSIGNMENT_IN_PROGRESS",
                        topic + "-9 UNKNOWN_TOPIC_OR_PARTITION",
                        topic + "-missing-0 UNKNOWN_TOPIC_OR_PARTITION");
        if (version >= 1) {
            assertThat(answer.data().allowReplicationFactorChange()).isFalse();
        }
    }

    private static void list(SweepContext sweep, short version, String topic) throws Exception {
        ListPartitionReassignmentsResponse named = sweep.client()
                .send(
                        ApiKeys.LIST_PARTITION_REASSIGNMENTS,
                        version,
                        new ListPartitionReassignmentsRequestData()
                                .setTopics(List.of(new ListPartitionReassignmentsTopics()
                                        .setName(topic)
                                        .setPartitionIndexes(List.of(0, 1, 9)))));
        assertThat(Errors.forCode(named.data().errorCode())).isEqualTo(Errors.NONE);
        assertThat(named.data().topics()).isEmpty();

        ListPartitionReassignmentsResponse all = sweep.client()
                .send(
                        ApiKeys.LIST_PARTITION_REASSIGNMENTS,
                        version,
                        new ListPartitionReassignmentsRequestData().setTopics(null));
        assertThat(Errors.forCode(all.data().errorCode())).isEqualTo(Errors.NONE);
        assertThat(all.data().topics()).noneMatch(t -> t.name().equals(topic));
    }

    private static ReassignablePartition partition(int index, List<Integer> replicas) {
        return new ReassignablePartition().setPartitionIndex(index).setReplicas(replicas);
    }
}
