package io.varve.transport.api.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.group.CommittedOffset;
import io.varve.group.GroupCoordinator;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.testing.TestBroker;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** OffsetFetch with require_stable: offsets an open transaction holds are UNSTABLE_OFFSET_COMMIT. */
class OffsetFetchRequireStableTest {
    private static final ActorTestKit testKit = ActorTestKit.create();
    private static final TopicPartition IN_0 = new TopicPartition("in", 0);
    private static final TopicPartition IN_1 = new TopicPartition("in", 1);
    private final GroupTestContext groups = new GroupTestContext(testKit);
    private final OffsetFetchHandler handler = new OffsetFetchHandler(groups);

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    void partitionsHeldByAnOpenTransactionAreUnstable() {
        CompletableFuture<ApiResponse> answer = groups.broker.call(
                handler,
                OffsetFetchRequest.Builder.forTopicNames(
                                new OffsetFetchRequestData()
                                        .setRequireStable(true)
                                        .setGroups(List.of(new OffsetFetchRequestGroup()
                                                .setGroupId("readers")
                                                .setTopics(List.of(new OffsetFetchRequestTopics()
                                                        .setName("in")
                                                        .setPartitionIndexes(List.of(0, 1)))))),
                                false)
                        .build((short) 8));

        GroupCoordinator.FetchOffsets fetch = groups.expect("readers", GroupCoordinator.FetchOffsets.class);
        assertThat(fetch.requireStable()).isTrue();
        fetch.replyTo()
                .tell(new GroupCoordinator.OffsetsResult(
                        Errors.NONE,
                        Map.of(IN_0, new CommittedOffset(4, -1, "", 1), IN_1, new CommittedOffset(9, -1, "", 1)),
                        Set.of(IN_1)));

        OffsetFetchResponseData data = TestBroker.body(answer);
        assertThat(data.groups().get(0).topics().get(0).partitions())
                .extracting(p -> p.partitionIndex() + "@" + p.committedOffset() + "=" + Errors.forCode(p.errorCode()))
                .containsExactlyInAnyOrder("0@4=NONE", "1@-1=UNSTABLE_OFFSET_COMMIT");
    }
}
