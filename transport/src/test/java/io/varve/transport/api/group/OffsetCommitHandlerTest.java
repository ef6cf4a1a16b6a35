package io.varve.transport.api.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.varve.group.CommittedOffset;
import io.varve.group.GroupCoordinator;
import io.varve.group.GroupCoordinator.ErrorResult;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.testing.Images;
import io.varve.transport.testing.TestBroker;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponsePartition;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponseTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OffsetCommitHandlerTest {
    private static final ActorTestKit testKit = ActorTestKit.create();
    private static final Uuid ORDERS_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");
    private final GroupTestContext groups = new GroupTestContext(testKit);
    private final GroupTestContext unanswered = new GroupTestContext(testKit, GroupTestContext.SHORT_ASK_TIMEOUT);
    private final OffsetCommitHandler handler = new OffsetCommitHandler(groups, 8);

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @BeforeEach
    void ordersTopic() {
        for (GroupTestContext context : List.of(groups, unanswered)) {
            context.broker.update(Images.withTopic(context.broker.image(), "orders", ORDERS_ID, 2, 1, 0));
        }
    }

    @Test
    void forwardsEveryPartitionInOneCommandAndAnswersEachWithTheCoordinatorsError() {
        CompletableFuture<ApiResponse> answer = groups.broker.call(
                handler, request(9, topic("orders", partition(0, 42, 3, "meta"), partition(1, 7, -1, null))));

        GroupCoordinator.CommitOffsets commit = groups.expect("g", GroupCoordinator.CommitOffsets.class);
        assertThat(commit.memberId()).isEqualTo("m-1");
        assertThat(commit.groupInstanceId()).isEqualTo("static-1");
        assertThat(commit.generationId()).isEqualTo(5);
        assertThat(commit.offsets()).containsOnlyKeys(new TopicPartition("orders", 0), new TopicPartition("orders", 1));
        assertThat(commit.offsets().get(new TopicPartition("orders", 0)))
                .extracting(CommittedOffset::offset, CommittedOffset::leaderEpoch, CommittedOffset::metadata)
                .containsExactly(42L, 3, "meta");
        assertThat(commit.offsets().get(new TopicPartition("orders", 1)).metadata())
                .isEmpty();
        commit.replyTo().tell(new ErrorResult(Errors.ILLEGAL_GENERATION));

        assertThat(partitions(TestBroker.body(answer)))
                .containsExactly(
                        tuple("orders", 0, Errors.ILLEGAL_GENERATION.code()),
                        tuple("orders", 1, Errors.ILLEGAL_GENERATION.code()));
    }

    @Test
    void unknownTopicsAndTooLongMetadataAreAnsweredWithoutTheCoordinator() {
        CompletableFuture<ApiResponse> answer = groups.broker.call(
                handler,
                request(
                        9,
                        topic("orders", partition(0, 1, -1, "123456789"), partition(1, 2, -1, "12345678")),
                        topic("gone", partition(0, 1, -1, ""))));

        GroupCoordinator.CommitOffsets commit = groups.expect("g", GroupCoordinator.CommitOffsets.class);
        assertThat(commit.offsets()).containsOnlyKeys(new TopicPartition("orders", 1));
        commit.replyTo().tell(new ErrorResult(Errors.NONE));

        assertThat(partitions(TestBroker.body(answer)))
                .containsExactly(
                        tuple("orders", 0, Errors.OFFSET_METADATA_TOO_LARGE.code()),
                        tuple("orders", 1, Errors.NONE.code()),
                        tuple("gone", 0, Errors.UNKNOWN_TOPIC_OR_PARTITION.code()));
    }

    @Test
    void aCommitWithNothingValidDoesNotReachTheCoordinator() {
        OffsetCommitResponseData data =
                TestBroker.body(groups.broker.call(handler, request(9, topic("gone", partition(3, 1, -1, "")))));

        assertThat(partitions(data)).containsExactly(tuple("gone", 3, Errors.UNKNOWN_TOPIC_OR_PARTITION.code()));
        groups.coordinatorProbe("g").expectNoMessage();
    }

    @Test
    void anUnknownGroupIsIllegalGenerationBeforeV9() {
        CompletableFuture<ApiResponse> v8 =
                groups.broker.call(handler, request(8, topic("orders", partition(0, 1, -1, ""))));
        groups.expect("g", GroupCoordinator.CommitOffsets.class)
                .replyTo()
                .tell(new ErrorResult(Errors.GROUP_ID_NOT_FOUND));
        CompletableFuture<ApiResponse> v9 =
                groups.broker.call(handler, request(9, topic("orders", partition(0, 1, -1, ""))));
        groups.expect("g", GroupCoordinator.CommitOffsets.class)
                .replyTo()
                .tell(new ErrorResult(Errors.GROUP_ID_NOT_FOUND));

        assertThat(partitions(TestBroker.body(v8)))
                .containsExactly(tuple("orders", 0, Errors.ILLEGAL_GENERATION.code()));
        assertThat(partitions(TestBroker.body(v9)))
                .containsExactly(tuple("orders", 0, Errors.GROUP_ID_NOT_FOUND.code()));
    }

    @Test
    void anUnansweredCommitIsCoordinatorNotAvailable() {
        CompletableFuture<ApiResponse> answer = unanswered.broker.call(
                new OffsetCommitHandler(unanswered, 8), request(9, topic("orders", partition(0, 1, -1, ""))));
        unanswered.expect("g", GroupCoordinator.CommitOffsets.class);

        assertThat(partitions(TestBroker.body(answer)))
                .containsExactly(tuple("orders", 0, Errors.COORDINATOR_NOT_AVAILABLE.code()));
    }

    private static List<Tuple> partitions(OffsetCommitResponseData data) {
        return data.topics().stream()
                .flatMap((OffsetCommitResponseTopic t) -> t.partitions().stream()
                        .map((OffsetCommitResponsePartition p) -> tuple(t.name(), p.partitionIndex(), p.errorCode())))
                .toList();
    }

    private static OffsetCommitRequest request(int version, OffsetCommitRequestTopic... topics) {
        return OffsetCommitRequest.Builder.forTopicNames(new OffsetCommitRequestData()
                        .setGroupId("g")
                        .setMemberId("m-1")
                        .setGroupInstanceId("static-1")
                        .setGenerationIdOrMemberEpoch(5)
                        .setTopics(List.of(topics)))
                .build((short) version);
    }

    private static OffsetCommitRequestTopic topic(String name, OffsetCommitRequestPartition... partitions) {
        return new OffsetCommitRequestTopic().setName(name).setPartitions(List.of(partitions));
    }

    private static OffsetCommitRequestPartition partition(int index, long offset, int leaderEpoch, String metadata) {
        return new OffsetCommitRequestPartition()
                .setPartitionIndex(index)
                .setCommittedOffset(offset)
                .setCommittedLeaderEpoch(leaderEpoch)
                .setCommittedMetadata(metadata);
    }
}
