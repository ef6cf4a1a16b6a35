package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersRequestData.TopicPartitions;
import org.apache.kafka.common.message.ElectLeadersResponseData.PartitionResult;
import org.apache.kafka.common.message.ElectLeadersResponseData.ReplicaElectionResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ElectLeadersResponse;

/**
 * ElectLeaders v0+ on one broker, where every partition is led by its preferred (only) replica:
 * PREFERRED (implied before v1) answers ELECTION_NOT_NEEDED for each named partition and
 * UNKNOWN_TOPIC_OR_PARTITION for a partition or topic that does not exist; UNCLEAN (v1+) answers
 * ELECTION_NOT_NEEDED for a partition with a live leader; with no partitions named (all), none of
 * this topic's partitions is answered, as none needed an election; the top-level error (v1+) is NONE.
 */
final class ElectLeadersSweep implements VersionScenario {

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String topic = name("elect-leaders", version);
        String missing = name("elect-leaders-missing", version);
        sweep.createTopic(topic, 2);

        ElectLeadersResponse preferred = elect(
                sweep,
                version,
                (byte) 0,
                List.of(
                        new TopicPartitions().setTopic(topic).setPartitions(List.of(0, 1, 7)),
                        new TopicPartitions().setTopic(missing).setPartitions(List.of(0))));
        assertThat(results(preferred))
                .containsExactlyInAnyOrder(
                        topic + "-0 ELECTION_NOT_NEEDED",
                        topic + "-1 ELECTION_NOT_NEEDED",
                        topic + "-7 UNKNOWN_TOPIC_OR_PARTITION",
                        missing + "-0 UNKNOWN_TOPIC_OR_PARTITION");
        assertThat(preferred.data().errorCode()).isEqualTo(Errors.NONE.code());

        if (version >= 1) {
            ElectLeadersResponse unclean = elect(
                    sweep,
                    version,
                    (byte) 1,
                    List.of(new TopicPartitions().setTopic(topic).setPartitions(List.of(0))));
            assertThat(results(unclean)).containsExactly(topic + "-0 ELECTION_NOT_NEEDED");
        }

        ElectLeadersResponse all = elect(sweep, version, (byte) 0, null);
        assertThat(all.data().errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(all.data().replicaElectionResults())
                .extracting(ReplicaElectionResult::topic)
                .doesNotContain(topic);
    }

    private static ElectLeadersResponse elect(
            SweepContext sweep, short version, byte type, List<TopicPartitions> partitions) throws Exception {
        ElectLeadersRequestData data = new ElectLeadersRequestData().setTimeoutMs(30_000);
        if (version >= 1) {
            data.setElectionType(type);
        }
        if (partitions == null) {
            data.setTopicPartitions(null);
        } else {
            data.topicPartitions().addAll(partitions);
        }
        return sweep.client().send(ApiKeys.ELECT_LEADERS, version, data);
    }

    /** "topic-partition ERROR" for every partition answered, sorted. */
    private static List<String> results(ElectLeadersResponse response) {
        TreeMap<String, String> sorted = new TreeMap<>();
        for (ReplicaElectionResult topic : response.data().replicaElectionResults()) {
            for (PartitionResult partition : topic.partitionResult()) {
                sorted.put(
                        topic.topic() + "-" + partition.partitionId(),
                        topic.topic() + "-" + partition.partitionId() + " " + Errors.forCode(partition.errorCode()));
            }
        }
        return new ArrayList<>(sorted.values());
    }
}
