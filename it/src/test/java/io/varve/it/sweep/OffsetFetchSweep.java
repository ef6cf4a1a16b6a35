package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartition;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopic;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopics;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetFetchResponse;

/**
 * OffsetFetch v1+: committed offsets with their metadata (and leader epoch from v5) for named
 * partitions, -1 with empty metadata for a partition without a commit or a group that does not
 * exist, every committed partition for a null topic list (v2+), require_stable (v7+) and several
 * groups in one request (v8+).
 */
final class OffsetFetchSweep implements VersionScenario {
    private static final short FIRST_ALL_TOPICS_VERSION = 2;
    private static final short FIRST_LEADER_EPOCH_VERSION = 5;
    private static final short FIRST_BATCH_VERSION = 8;

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String topic = name("offset-fetch", version);
        sweep.createTopic(topic, 3);
        String group = name("offset-fetch", version);
        Groups.commit(sweep, group, topic, 5L, 7L);
        String unknownGroup = name("offset-fetch-none", version);
        int epoch = version >= FIRST_LEADER_EPOCH_VERSION ? 0 : -1;

        List<String> named = fetch(sweep, version, group, topic, List.of(0, 1, 2));
        assertThat(named).containsExactly("0:5:m0:" + epoch, "1:7:m1:" + epoch, "2:-1::-1");
        assertThat(fetch(sweep, version, unknownGroup, topic, List.of(0))).containsExactly("0:-1::-1");
        if (version >= FIRST_ALL_TOPICS_VERSION) {
            assertThat(fetch(sweep, version, group, topic, null)).containsExactly("0:5:m0:" + epoch, "1:7:m1:" + epoch);
            assertThat(fetch(sweep, version, unknownGroup, topic, null)).isEmpty();
        }
    }

    /** The answer for one group as "partition:offset:metadata:epoch", in partition order. */
    private static List<String> fetch(
            SweepContext sweep, short version, String group, String topic, List<Integer> partitions) throws Exception {
        OffsetFetchRequestData request = new OffsetFetchRequestData();
        if (version >= 7) {
            request.setRequireStable(true);
        }
        if (version >= FIRST_BATCH_VERSION) {
            OffsetFetchRequestTopics topics = new OffsetFetchRequestTopics().setName(topic);
            if (partitions != null) {
                topics.setPartitionIndexes(partitions);
            }
            request.setGroups(List.of(
                    new OffsetFetchRequestGroup()
                            .setGroupId(group)
                            .setTopics(partitions == null ? null : List.of(topics)),
                    new OffsetFetchRequestGroup().setGroupId(group + "-other").setTopics(List.of(topics))));
        } else {
            request.setGroupId(group)
                    .setTopics(
                            partitions == null
                                    ? null
                                    : List.of(new OffsetFetchRequestTopic()
                                            .setName(topic)
                                            .setPartitionIndexes(partitions)));
        }
        OffsetFetchResponse answer = sweep.client().send(ApiKeys.OFFSET_FETCH, version, request);
        List<String> offsets = new ArrayList<>();
        if (version >= FIRST_BATCH_VERSION) {
            assertThat(answer.data().groups())
                    .extracting(OffsetFetchResponseGroup::groupId)
                    .containsExactly(group, group + "-other");
            OffsetFetchResponseGroup first = answer.data().groups().get(0);
            assertThat(Errors.forCode(first.errorCode())).isEqualTo(Errors.NONE);
            for (OffsetFetchResponseTopics t : first.topics()) {
                assertThat(t.name()).isEqualTo(topic);
                for (OffsetFetchResponsePartitions p : t.partitions()) {
                    assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.NONE);
                    offsets.add(p.partitionIndex() + ":" + p.committedOffset() + ":" + p.metadata() + ":"
                            + p.committedLeaderEpoch());
                }
            }
            offsets.sort(null);
            return offsets;
        }
        assertThat(Errors.forCode(answer.data().errorCode())).isEqualTo(Errors.NONE);
        for (OffsetFetchResponseTopic t : answer.data().topics()) {
            assertThat(t.name()).isEqualTo(topic);
            for (OffsetFetchResponsePartition p : t.partitions()) {
                assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.NONE);
                offsets.add(p.partitionIndex() + ":" + p.committedOffset() + ":" + p.metadata() + ":"
                        + p.committedLeaderEpoch());
            }
        }
        offsets.sort(null);
        return offsets;
    }
}
