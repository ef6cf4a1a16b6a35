package io.varve.transport.api.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.group.GroupCoordinator;
import io.varve.group.GroupCoordinators;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.testing.Images;
import io.varve.transport.testing.TestBroker;
import io.varve.txn.TransactionCoordinator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.TxnOffsetCommitRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.RecipientRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TxnOffsetCommitHandlerTest {
    private static final ActorTestKit testKit = ActorTestKit.create();
    private final TxnTestContext txn = new TxnTestContext(testKit);
    private final TestProbe<GroupCoordinator.Command> group = testKit.createTestProbe();
    private final GroupCoordinators groups = new GroupCoordinators() {
        @Override
        public RecipientRef<GroupCoordinator.Command> coordinator(String groupId) {
            return group.ref();
        }

        @Override
        public CompletionStage<List<String>> groupIds() {
            return CompletableFuture.completedFuture(List.of());
        }
    };
    private final TxnOffsetCommitHandler handler = new TxnOffsetCommitHandler(groups, 10);

    @BeforeEach
    void topics() {
        txn.broker.update(Images.withTopic(Images.cluster(TestBroker.NODE_1), "in", Uuid.randomUuid(), 2, 1, 0));
    }

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    private CompletableFuture<ApiResponse> commit(short version, String metadata) {
        TxnOffsetCommitRequestData data = new TxnOffsetCommitRequestData()
                .setTransactionalId("t1")
                .setGroupId("readers")
                .setProducerId(7L)
                .setProducerEpoch((short) 2)
                .setGenerationIdOrMemberEpoch(version >= 3 ? 4 : -1)
                .setMemberId(version >= 3 ? "m1" : "")
                .setTopics(List.of(
                        new TxnOffsetCommitRequestTopic()
                                .setName("in")
                                .setPartitions(List.of(new TxnOffsetCommitRequestPartition()
                                        .setPartitionIndex(1)
                                        .setCommittedOffset(33)
                                        .setCommittedMetadata(metadata))),
                        new TxnOffsetCommitRequestTopic()
                                .setName("missing")
                                .setPartitions(List.of(new TxnOffsetCommitRequestPartition().setPartitionIndex(0)))));
        return txn.broker.call(handler, new TxnOffsetCommitRequest(data, version));
    }

    private static List<String> errors(TxnOffsetCommitResponseData data) {
        return data.topics().stream()
                .flatMap(t -> t.partitions().stream()
                        .map(p -> t.name() + "-" + p.partitionIndex() + "=" + Errors.forCode(p.errorCode())))
                .toList();
    }

    @Test
    void versionFiveAddsTheGroupThenStagesTheOffsets() {
        CompletableFuture<ApiResponse> answer = commit((short) 5, "m");

        TransactionCoordinator.AddOffsets add = txn.expect("t1", TransactionCoordinator.AddOffsets.class);
        assertThat(add.verifyOnly()).isFalse();
        assertThat(add.transactionVersion()).isEqualTo((short) 2);
        assertThat(add.groupId()).isEqualTo("readers");
        add.replyTo().tell(new TransactionCoordinator.ErrorResult(Errors.NONE));
        GroupCoordinator.CommitTxnOffsets staged = group.expectMessageClass(GroupCoordinator.CommitTxnOffsets.class);
        assertThat(staged.producerId()).isEqualTo(7L);
        assertThat(staged.memberId()).isEqualTo("m1");
        assertThat(staged.generationId()).isEqualTo(4);
        assertThat(staged.offsets().get(new TopicPartition("in", 1)).offset()).isEqualTo(33L);
        staged.replyTo().tell(new GroupCoordinator.ErrorResult(Errors.NONE));

        TxnOffsetCommitResponseData data = TestBroker.body(answer);
        assertThat(errors(data)).containsExactly("in-1=NONE", "missing-0=UNKNOWN_TOPIC_OR_PARTITION");
        TxnTestContext.serializes(data, (short) 5);
    }

    @Test
    void olderVersionsOnlyVerifyAndAGroupOutsideTheTransactionStagesNothing() {
        for (short version = 0; version <= 4; version++) {
            CompletableFuture<ApiResponse> answer = commit(version, "m");

            TransactionCoordinator.AddOffsets verify = txn.expect("t1", TransactionCoordinator.AddOffsets.class);
            assertThat(verify.verifyOnly()).isTrue();
            verify.replyTo().tell(new TransactionCoordinator.ErrorResult(Errors.TRANSACTION_ABORTABLE));

            TxnOffsetCommitResponseData data = TestBroker.body(answer);
            String expected = version >= 4 ? "TRANSACTION_ABORTABLE" : "INVALID_TXN_STATE";
            assertThat(errors(data)).containsExactly("in-1=" + expected, "missing-0=UNKNOWN_TOPIC_OR_PARTITION");
            group.expectNoMessage(java.time.Duration.ofMillis(50));
            TxnTestContext.serializes(data, version);
        }
    }

    @Test
    void aFencedProducerIsInvalidProducerEpoch() {
        CompletableFuture<ApiResponse> answer = commit((short) 4, "m");

        txn.expect("t1", TransactionCoordinator.AddOffsets.class)
                .replyTo()
                .tell(new TransactionCoordinator.ErrorResult(Errors.PRODUCER_FENCED));

        assertThat(errors(TestBroker.body(answer))).first().isEqualTo("in-1=INVALID_PRODUCER_EPOCH");
    }

    @Test
    void tooLongMetadataIsRefusedAndNeverStagedNorAsked() {
        // the handler's offset.metadata.max.bytes is 10: eleven bytes are refused before any coordinator
        CompletableFuture<ApiResponse> answer = commit((short) 5, "12345678901");

        TxnOffsetCommitResponseData data = TestBroker.body(answer);
        assertThat(errors(data))
                .containsExactly("in-1=OFFSET_METADATA_TOO_LARGE", "missing-0=UNKNOWN_TOPIC_OR_PARTITION");
        group.expectNoMessage(java.time.Duration.ofMillis(50));
    }
}
