package io.varve.transport.api.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.partition.PartitionActor;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.testing.Images;
import io.varve.transport.testing.TestBroker;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarker;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarkerTopic;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class WriteTxnMarkersHandlerTest {
    private static final ActorTestKit testKit = ActorTestKit.create();
    private final TxnTestContext txn = new TxnTestContext(testKit);
    private final WriteTxnMarkersHandler handler = new WriteTxnMarkersHandler();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    void eachPartitionsLeaderWritesTheMarkerAndAnswersItsError() {
        txn.broker.update(Images.withTopic(Images.cluster(TestBroker.NODE_1), "orders", Uuid.randomUuid(), 3, 1, 0));
        TestProbe<PartitionActor.Command> orders0 = testKit.createTestProbe();
        TestProbe<PartitionActor.Command> orders1 = testKit.createTestProbe();
        txn.broker.partitions.host(new TopicPartition("orders", 0), orders0.ref());
        txn.broker.partitions.host(new TopicPartition("orders", 1), orders1.ref());

        for (short version = 1; version <= 2; version++) {
            CompletableFuture<ApiResponse> answer = txn.broker.call(
                    handler,
                    new WriteTxnMarkersRequest.Builder(new WriteTxnMarkersRequestData()
                                    .setMarkers(List.of(new WritableTxnMarker()
                                            .setProducerId(7L)
                                            .setProducerEpoch((short) 4)
                                            .setCoordinatorEpoch(3)
                                            .setTransactionResult(false)
                                            .setTransactionVersion((byte) (version >= 2 ? 2 : 0))
                                            .setTopics(List.of(
                                                    new WritableTxnMarkerTopic()
                                                            .setName("orders")
                                                            .setPartitionIndexes(List.of(0, 1, 2)),
                                                    new WritableTxnMarkerTopic()
                                                            .setName("missing")
                                                            .setPartitionIndexes(List.of(0)))))))
                            .build(version));

            PartitionActor.WriteTxnMarker marker = orders0.expectMessageClass(PartitionActor.WriteTxnMarker.class);
            assertThat(marker)
                    .extracting(
                            m -> m.producerId(),
                            m -> m.producerEpoch(),
                            m -> m.coordinatorEpoch(),
                            m -> m.commit(),
                            m -> m.transactionVersion())
                    .containsExactly(7L, (short) 4, 3, false, (short) (version >= 2 ? 2 : 0));
            marker.replyTo()
                    .tell(new PartitionActor.TxnMarkerWritten(new TopicPartition("orders", 0), Errors.NONE, null));
            orders1.expectMessageClass(PartitionActor.WriteTxnMarker.class)
                    .replyTo()
                    .tell(new PartitionActor.TxnMarkerWritten(
                            new TopicPartition("orders", 1), Errors.TRANSACTION_COORDINATOR_FENCED, "zombie"));

            WriteTxnMarkersResponseData data = TestBroker.body(answer);
            var topics = data.markers().get(0).topics();
            assertThat(topics.get(0).partitions())
                    .extracting(p -> p.partitionIndex() + "=" + Errors.forCode(p.errorCode()))
                    .containsExactly("0=NONE", "1=TRANSACTION_COORDINATOR_FENCED", "2=NOT_LEADER_OR_FOLLOWER");
            assertThat(topics.get(1).partitions().get(0).errorCode())
                    .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
            TxnTestContext.serializes(data, version);
        }
    }
}
