package io.varve.transport.api.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.partition.PartitionActor;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.testing.Images;
import io.varve.transport.testing.TestBroker;
import io.varve.transport.testing.Wire;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ListOffsetsRequestData;
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

    /** kafka-clients refuses to encode a leader epoch below v4: librdkafka and kafkajs ask v2/v3. */
    @Test
    void answersWithoutLeaderEpochBeforeV4() {
        for (short version = 1; version <= 5; version++) {
            CompletableFuture<ApiResponse> answer = broker.call(
                    handler,
                    request(
                            version,
                            IsolationLevel.READ_UNCOMMITTED,
                            partition(0, ListOffsetsRequest.LATEST_TIMESTAMP, -1)));
            orders0.expectMessageClass(PartitionActor.ListOffsets.class)
                    .replyTo()
                    .tell(new PartitionActor.ListOffsetsResponse(
                            new TopicPartition("orders", 0), Errors.NONE, -1L, 42L, 3));

            ListOffsetsPartitionResponse partition = only(Wire.roundTrip(TestBroker.body(answer), version));
            assertThat(partition.offset()).isEqualTo(42L);
            assertThat(partition.leaderEpoch()).as("v%d", version).isEqualTo(version >= 4 ? 3 : -1);
        }
    }

    /** Kafka's ReplicaManager: a special timestamp before the version that introduced it. */
    @Test
    void answersUnsupportedVersionForSpecialTimestampsTheVersionLacks() {
        ListOffsetsResponseData v6 = TestBroker.body(broker.call(
                handler,
                request(
                        (short) 6,
                        IsolationLevel.READ_UNCOMMITTED,
                        partition(0, ListOffsetsRequest.MAX_TIMESTAMP, -1))));
        assertThat(only(v6).errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
        ListOffsetsResponseData unknownNegative = TestBroker.body(
                broker.call(handler, request((short) 11, IsolationLevel.READ_UNCOMMITTED, partition(0, -7L, -1))));
        assertThat(only(unknownNegative).errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
        orders0.expectNoMessage();

        CompletableFuture<ApiResponse> v7 = broker.call(
                handler,
                request(
                        (short) 7,
                        IsolationLevel.READ_UNCOMMITTED,
                        partition(0, ListOffsetsRequest.MAX_TIMESTAMP, -1)));
        assertThat(orders0.expectMessageClass(PartitionActor.ListOffsets.class).timestamp())
                .isEqualTo(ListOffsetsRequest.MAX_TIMESTAMP);
        assertThat(v7).isNotDone();
    }

    @Test
    void downgradesOffsetNotAvailableBeforeV5() {
        for (short version : new short[] {4, 5}) {
            CompletableFuture<ApiResponse> answer =
                    broker.call(handler, request(version, IsolationLevel.READ_UNCOMMITTED, partition(0, -1L, -1)));
            orders0.expectMessageClass(PartitionActor.ListOffsets.class)
                    .replyTo()
                    .tell(new PartitionActor.ListOffsetsResponse(
                            new TopicPartition("orders", 0), Errors.OFFSET_NOT_AVAILABLE, -1L, -1L, -1));
            assertThat(Errors.forCode(only(TestBroker.body(answer)).errorCode()))
                    .isEqualTo(version >= 5 ? Errors.OFFSET_NOT_AVAILABLE : Errors.LEADER_NOT_AVAILABLE);
        }
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
        return request((short) 10, isolation, partitions);
    }

    private static ListOffsetsRequest request(
            short version, IsolationLevel isolation, ListOffsetsPartition... partitions) {
        ListOffsetsTopic topic = new ListOffsetsTopic().setName("orders").setPartitions(List.of(partitions));
        ListOffsetsRequestData data = new ListOffsetsRequestData()
                .setReplicaId(-1)
                .setIsolationLevel(isolation.id())
                .setTopics(List.of(topic));
        return Wire.request(data, version);
    }
}
