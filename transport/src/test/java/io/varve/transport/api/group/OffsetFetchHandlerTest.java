package io.varve.transport.api.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.varve.group.CommittedOffset;
import io.varve.group.GroupCoordinator;
import io.varve.group.GroupCoordinator.OffsetsResult;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.testing.Images;
import io.varve.transport.testing.TestBroker;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OffsetFetchHandlerTest {
    private static final ActorTestKit testKit = ActorTestKit.create();
    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
    private static final TopicPartition ORDERS_1 = new TopicPartition("orders", 1);
    private final GroupTestContext groups = new GroupTestContext(testKit);
    private final GroupTestContext unanswered = new GroupTestContext(testKit, GroupTestContext.SHORT_ASK_TIMEOUT);
    private final OffsetFetchHandler handler = new OffsetFetchHandler(groups);

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @BeforeEach
    void ordersTopic() {
        groups.broker.update(Images.withTopic(groups.broker.image(), "orders", Uuid.randomUuid(), 2, 1, 0));
    }

    @Test
    void singleGroupAnswersRequestedPartitionsWithMinusOneForNoCommit() {
        CompletableFuture<ApiResponse> answer = groups.broker.call(
                handler,
                OffsetFetchRequest.Builder.forTopicNames(
                                new OffsetFetchRequestData()
                                        .setGroupId("g")
                                        .setRequireStable(true)
                                        .setTopics(List.of(new OffsetFetchRequestTopic()
                                                .setName("orders")
                                                .setPartitionIndexes(List.of(0, 1)))),
                                false)
                        .build((short) 7));

        GroupCoordinator.FetchOffsets fetch = groups.expect("g", GroupCoordinator.FetchOffsets.class);
        assertThat(fetch.all()).isFalse();
        assertThat(fetch.partitions()).containsExactly(ORDERS_0, ORDERS_1);
        fetch.replyTo().tell(new OffsetsResult(Errors.NONE, Map.of(ORDERS_0, new CommittedOffset(42, 3, "m", 1))));

        OffsetFetchResponseData data = TestBroker.body(answer);
        assertThat(data.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(data.topics()).hasSize(1);
        assertThat(data.topics().get(0).name()).isEqualTo("orders");
        assertThat(data.topics().get(0).partitions())
                .extracting(
                        p -> p.partitionIndex(),
                        p -> p.committedOffset(),
                        p -> p.committedLeaderEpoch(),
                        p -> p.metadata(),
                        p -> p.errorCode())
                .containsExactly(tuple(0, 42L, 3, "m", Errors.NONE.code()), tuple(1, -1L, -1, "", Errors.NONE.code()));
    }

    @Test
    void batchedGroupsAreFetchedFromEachCoordinatorAllPartitionsWhenNoneNamed() {
        CompletableFuture<ApiResponse> answer = groups.broker.call(
                handler,
                OffsetFetchRequest.Builder.forTopicNames(
                                new OffsetFetchRequestData()
                                        .setGroups(List.of(
                                                new OffsetFetchRequestGroup()
                                                        .setGroupId("a")
                                                        .setTopics(null),
                                                new OffsetFetchRequestGroup()
                                                        .setGroupId("b")
                                                        .setTopics(List.of(new OffsetFetchRequestTopics()
                                                                .setName("orders")
                                                                .setPartitionIndexes(List.of(1)))))),
                                false)
                        .build((short) 9));

        GroupCoordinator.FetchOffsets all = groups.expect("a", GroupCoordinator.FetchOffsets.class);
        assertThat(all.all()).isTrue();
        all.replyTo()
                .tell(new OffsetsResult(
                        Errors.NONE,
                        Map.of(
                                ORDERS_0,
                                new CommittedOffset(5, -1, "", 1),
                                ORDERS_1,
                                new CommittedOffset(6, -1, "", 1))));
        GroupCoordinator.FetchOffsets some = groups.expect("b", GroupCoordinator.FetchOffsets.class);
        assertThat(some.partitions()).containsExactly(ORDERS_1);
        some.replyTo().tell(new OffsetsResult(Errors.NONE, Map.of()));

        OffsetFetchResponseData data = TestBroker.body(answer);
        assertThat(data.groups()).extracting(OffsetFetchResponseGroup::groupId).containsExactly("a", "b");
        assertThat(offsets(data.groups().get(0)))
                .containsExactlyInAnyOrder(tuple("orders", 0, 5L), tuple("orders", 1, 6L));
        assertThat(offsets(data.groups().get(1))).containsExactly(tuple("orders", 1, -1L));
    }

    @Test
    void aGroupWhoseCoordinatorDoesNotAnswerGetsCoordinatorNotAvailable() {
        CompletableFuture<ApiResponse> answer = unanswered.broker.call(
                new OffsetFetchHandler(unanswered),
                OffsetFetchRequest.Builder.forTopicNames(
                                new OffsetFetchRequestData()
                                        .setGroups(List.of(new OffsetFetchRequestGroup()
                                                .setGroupId("silent")
                                                .setTopics(null))),
                                false)
                        .build((short) 8));
        unanswered.expect("silent", GroupCoordinator.FetchOffsets.class);

        OffsetFetchResponseData data = TestBroker.body(answer);
        assertThat(data.groups()).hasSize(1);
        assertThat(data.groups().get(0).errorCode()).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE.code());
    }

    private static List<Tuple> offsets(OffsetFetchResponseGroup group) {
        return group.topics().stream()
                .flatMap(
                        t -> t.partitions().stream().map(p -> tuple(t.name(), p.partitionIndex(), p.committedOffset())))
                .toList();
    }
}
