package io.varve.transport.api.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.varve.group.GroupCoordinator;
import io.varve.group.GroupCoordinator.OffsetDeleteResult;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.testing.TestBroker;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetDeleteRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class OffsetDeleteHandlerTest {
    private static final ActorTestKit testKit = ActorTestKit.create();
    private final GroupTestContext groups = new GroupTestContext(testKit);
    private final GroupTestContext unanswered = new GroupTestContext(testKit, GroupTestContext.SHORT_ASK_TIMEOUT);
    private final OffsetDeleteHandler handler = new OffsetDeleteHandler(groups);

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    void answersEachPartitionWithTheCoordinatorsOutcome() {
        CompletableFuture<ApiResponse> answer = groups.broker.call(handler, request());

        GroupCoordinator.DeleteOffsets delete = groups.expect("g", GroupCoordinator.DeleteOffsets.class);
        assertThat(delete.partitions())
                .containsExactly(
                        new TopicPartition("orders", 0),
                        new TopicPartition("orders", 1),
                        new TopicPartition("audit", 0));
        delete.replyTo()
                .tell(new OffsetDeleteResult(
                        Errors.NONE,
                        Map.of(
                                new TopicPartition("orders", 0), Errors.GROUP_SUBSCRIBED_TO_TOPIC,
                                new TopicPartition("orders", 1), Errors.GROUP_SUBSCRIBED_TO_TOPIC,
                                new TopicPartition("audit", 0), Errors.NONE)));

        OffsetDeleteResponseData data = TestBroker.body(answer);
        assertThat(data.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(data.topics().stream()
                        .flatMap(t ->
                                t.partitions().stream().map(p -> tuple(t.name(), p.partitionIndex(), p.errorCode())))
                        .toList())
                .containsExactly(
                        tuple("orders", 0, Errors.GROUP_SUBSCRIBED_TO_TOPIC.code()),
                        tuple("orders", 1, Errors.GROUP_SUBSCRIBED_TO_TOPIC.code()),
                        tuple("audit", 0, Errors.NONE.code()));
    }

    @Test
    void aGroupErrorIsTheResponsesErrorWithNoTopics() {
        CompletableFuture<ApiResponse> answer = groups.broker.call(handler, request());
        groups.expect("g", GroupCoordinator.DeleteOffsets.class)
                .replyTo()
                .tell(new OffsetDeleteResult(Errors.GROUP_ID_NOT_FOUND, Map.of()));

        OffsetDeleteResponseData data = TestBroker.body(answer);
        assertThat(data.errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
        assertThat(data.topics()).isEmpty();
    }

    @Test
    void anUnansweredDeleteIsCoordinatorNotAvailable() {
        CompletableFuture<ApiResponse> answer = unanswered.broker.call(new OffsetDeleteHandler(unanswered), request());
        unanswered.expect("g", GroupCoordinator.DeleteOffsets.class);

        OffsetDeleteResponseData data = TestBroker.body(answer);
        assertThat(data.errorCode()).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE.code());
    }

    private static OffsetDeleteRequest request() {
        OffsetDeleteRequestTopicCollection topics = new OffsetDeleteRequestTopicCollection();
        topics.add(new OffsetDeleteRequestTopic()
                .setName("orders")
                .setPartitions(List.of(
                        new OffsetDeleteRequestPartition().setPartitionIndex(0),
                        new OffsetDeleteRequestPartition().setPartitionIndex(1))));
        topics.add(new OffsetDeleteRequestTopic()
                .setName("audit")
                .setPartitions(List.of(new OffsetDeleteRequestPartition().setPartitionIndex(0))));
        return new OffsetDeleteRequest.Builder(
                        new OffsetDeleteRequestData().setGroupId("g").setTopics(topics))
                .build((short) 0);
    }
}
