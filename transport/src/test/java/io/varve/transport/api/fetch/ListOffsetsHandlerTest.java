package io.varve.transport.api.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.partition.PartitionActor;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.testing.Images;
import io.varve.transport.testing.TestBroker;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ListOffsetsHandlerTest {
    private static final ActorTestKit testKit = ActorTestKit.create();
    private final ListOffsetsHandler handler = new ListOffsetsHandler();
    private final TestBroker broker = new TestBroker(testKit, false);
    private final TestProbe<PartitionActor.Command> orders0 = testKit.createTestProbe();

    ListOffsetsHandlerTest() {
        broker.update(Images.withTopic(broker.image(), "orders", Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ"), 3, 1, 4));
        broker.partitions.host(new TopicPartition("orders", 0), orders0.ref());
    }

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    void asksPartitionWithTimestampIsolationAndEpoch() {
        CompletableFuture<ApiResponse> answer = broker.call(
                handler,
                request(IsolationLevel.READ_COMMITTED, partition(0, ListOffsetsRequest.EARLIEST_TIMESTAMP, 4)));

        PartitionActor.ListOffsets ask = orders0.expectMessageClass(PartitionActor.ListOffsets.class);
        assertThat(ask.timestamp()).isEqualTo(-2L);
        assertThat(ask.readCommitted()).isTrue();
        assertThat(ask.currentLeaderEpoch()).isEqualTo(4);
        ask.replyTo()
                .tell(new PartitionActor.ListOffsetsResponse(
                        new TopicPartition("orders", 0), Errors.NONE, -1L, 100L, 3));

        ListOffsetsPartitionResponse partition = only(TestBroker.body(answer));
        assertThat(partition.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(partition.offset()).isEqualTo(100L);
        assertThat(partition.timestamp()).isEqualTo(-1L);
        assertThat(partition.leaderEpoch()).isEqualTo(3);
    }

    @Test
    void passesRealTimestampAndPartitionError() {
        CompletableFuture<ApiResponse> answer =
                broker.call(handler, request(IsolationLevel.READ_UNCOMMITTED, partition(0, 1_700_000_000_000L, -1)));

        PartitionActor.ListOffsets ask = orders0.expectMessageClass(PartitionActor.ListOffsets.class);
        assertThat(ask.timestamp()).isEqualTo(1_700_000_000_000L);
        assertThat(ask.readCommitted()).isFalse();
        ask.replyTo()
                .tell(new PartitionActor.ListOffsetsResponse(
                        new TopicPartition("orders", 0), Errors.FENCED_LEADER_EPOCH, -1L, -1L, -1));

        assertThat(only(TestBroker.body(answer)).errorCode()).isEqualTo(Errors.FENCED_LEADER_EPOCH.code());
    }

    @Test
    void answersUnknownPartitionAndNotHosted() {
        ListOffsetsResponseData data = TestBroker.body(broker.call(
                handler, request(IsolationLevel.READ_UNCOMMITTED, partition(1, -1L, -1), partition(7, -1L, -1))));

        assertThat(data.topics().get(0).partitions())
                .extracting(ListOffsetsPartitionResponse::errorCode)
                .containsExactly(Errors.NOT_LEADER_OR_FOLLOWER.code(), Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        orders0.expectNoMessage();
    }

    private static ListOffsetsPartitionResponse only(ListOffsetsResponseData data) {
        assertThat(data.topics()).hasSize(1);
        assertThat(data.topics().get(0).name()).isEqualTo("orders");
        assertThat(data.topics().get(0).partitions()).hasSize(1);
        return data.topics().get(0).partitions().get(0);
    }

    private static ListOffsetsPartition partition(int index, long timestamp, int epoch) {
        return new ListOffsetsPartition()
                .setPartitionIndex(index)
                .setTimestamp(timestamp)
                .setCurrentLeaderEpoch(epoch);
    }

    private static ListOffsetsRequest request(IsolationLevel isolation, ListOffsetsPartition... partitions) {
        ListOffsetsTopic topic = new ListOffsetsTopic().setName("orders").setPartitions(List.of(partitions));
        return ListOffsetsRequest.Builder.forConsumer(true, isolation)
                .setTargetTimes(List.of(topic))
                .build((short) 10);
    }
}
