package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetDeleteResponse;

/**
 * OffsetDelete v0: one partition's commit of an Empty group is deleted and the other kept; a group
 * whose member subscribes to the topic answers GROUP_SUBSCRIBED_TO_TOPIC for it; a group that does
 * not exist is GROUP_ID_NOT_FOUND.
 */
final class OffsetDeleteSweep implements VersionScenario {

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String topic = name("offset-delete", version);
        sweep.createTopic(topic, 2);
        String empty = name("offset-delete-empty", version);
        Groups.commit(sweep, empty, topic, 4L, 6L);

        OffsetDeleteResponse deleted = delete(sweep, version, empty, topic);
        assertThat(Errors.forCode(deleted.data().errorCode())).isEqualTo(Errors.NONE);
        assertThat(partitionError(deleted)).isEqualTo(Errors.NONE);
        assertThat(Groups.committed(sweep, empty, topic, 2)).containsExactly(-1L, 6L);

        // committed while empty, then a member subscribed to the topic joins
        String subscribed = name("offset-delete-member", version);
        Groups.commit(sweep, subscribed, topic, 1L, 1L);
        Groups.joinAndSync(sweep, subscribed, topic);
        assertThat(partitionError(delete(sweep, version, subscribed, topic)))
                .isEqualTo(Errors.GROUP_SUBSCRIBED_TO_TOPIC);

        OffsetDeleteResponse missing = delete(sweep, version, name("offset-delete-none", version), topic);
        assertThat(Errors.forCode(missing.data().errorCode())).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
    }

    private static OffsetDeleteResponse delete(SweepContext sweep, short version, String group, String topic)
            throws Exception {
        OffsetDeleteRequestTopicCollection topics = new OffsetDeleteRequestTopicCollection();
        topics.add(new OffsetDeleteRequestTopic()
                .setName(topic)
                .setPartitions(List.of(new OffsetDeleteRequestPartition().setPartitionIndex(0))));
        return sweep.client()
                .send(
                        ApiKeys.OFFSET_DELETE,
                        version,
                        new OffsetDeleteRequestData().setGroupId(group).setTopics(topics));
    }

    private static Errors partitionError(OffsetDeleteResponse answer) {
        return Errors.forCode(answer.data()
                .topics()
                .iterator()
                .next()
                .partitions()
                .iterator()
                .next()
                .errorCode());
    }
}
