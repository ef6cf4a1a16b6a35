package io.varve.transport.api.produce;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.partition.PartitionActor;
import io.varve.storage.log.RecordError;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.testing.Images;
import io.varve.transport.testing.TestBroker;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ProduceHandlerTest {
    private static final ActorTestKit testKit = ActorTestKit.create();
    private static final Uuid ORDERS_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");
    private static final Uuid REMOTE_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAg");
    private final ProduceHandler handler = new ProduceHandler();
    private final TestBroker broker = new TestBroker(testKit, false);
    private final TestProbe<PartitionActor.Command> orders0 = testKit.createTestProbe();

    ProduceHandlerTest() {
        broker.update(Images.withTopic(broker.image(), "orders", ORDERS_ID, 2, 1, 3));
        broker.update(Images.withTopic(broker.image(), "remote", REMOTE_ID, 1, 2, 9));
        broker.partitions.host(new TopicPartition("orders", 0), orders0.ref());
    }

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    void appendsToPartitionAndEchoesTopicIdFromV13() {
        CompletableFuture<ApiResponse> answer =
                broker.call(handler, request((short) 13, (short) -1, topicById(ORDERS_ID, 0)));

        PartitionActor.Append append = orders0.expectMessageClass(PartitionActor.Append.class);
        assertThat(append.requiredAcks()).isEqualTo((short) -1);
        assertThat(append.timeoutMs()).isEqualTo(30_000);
        assertThat(values(append.records())).containsExactly("a", "b");
        append.replyTo()
                .tell(new PartitionActor.AppendResponse(
                        new TopicPartition("orders", 0), Errors.NONE, null, 42L, -1L, 7L));

        ProduceResponseData data = TestBroker.body(answer);
        TopicProduceResponse topic = data.responses().iterator().next();
        assertThat(topic.topicId()).isEqualTo(ORDERS_ID);
        assertThat(topic.name()).isEmpty();
        PartitionProduceResponse partition = topic.partitionResponses().get(0);
        assertThat(partition.index()).isZero();
        assertThat(partition.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(partition.baseOffset()).isEqualTo(42L);
        assertThat(partition.logAppendTimeMs()).isEqualTo(-1L);
        assertThat(partition.logStartOffset()).isEqualTo(7L);
    }

    @Test
    void echoesTopicNameUpToV12AndPassesPartitionErrors() {
        CompletableFuture<ApiResponse> answer =
                broker.call(handler, request((short) 12, (short) 1, topicByName("orders", 0)));

        PartitionActor.Append append = orders0.expectMessageClass(PartitionActor.Append.class);
        append.replyTo()
                .tell(new PartitionActor.AppendResponse(
                        new TopicPartition("orders", 0),
                        Errors.OUT_OF_ORDER_SEQUENCE_NUMBER,
                        "seq 5, expected 3",
                        -1L,
                        -1L,
                        -1L));

        TopicProduceResponse topic = TestBroker.<ProduceResponseData>body(answer)
                .responses()
                .iterator()
                .next();
        assertThat(topic.name()).isEqualTo("orders");
        assertThat(topic.partitionResponses().get(0).errorCode()).isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code());
        assertThat(topic.partitionResponses().get(0).errorMessage()).isEqualTo("seq 5, expected 3");
    }

    @Test
    void passesTheRecordsAPartitionRejectedFromV8Only() {
        List<RecordError> rejected = List.of(new RecordError(1, "no key"), new RecordError(3, "no key"));
        for (short version : new short[] {12, 7}) {
            CompletableFuture<ApiResponse> answer =
                    broker.call(handler, request(version, (short) 1, topicByName("orders", 0)));
            PartitionActor.Append append = orders0.expectMessageClass(PartitionActor.Append.class);
            append.replyTo()
                    .tell(new PartitionActor.AppendResponse(
                            new TopicPartition("orders", 0),
                            Errors.INVALID_RECORD,
                            "2 records",
                            -1L,
                            -1L,
                            0L,
                            rejected));

            PartitionProduceResponse partition = TestBroker.<ProduceResponseData>body(answer)
                    .responses()
                    .iterator()
                    .next()
                    .partitionResponses()
                    .get(0);
            assertThat(partition.errorCode()).isEqualTo(Errors.INVALID_RECORD.code());
            if (version >= 8) {
                assertThat(partition.recordErrors())
                        .extracting(e -> e.batchIndex() + ":" + e.batchIndexErrorMessage())
                        .containsExactly("1:no key", "3:no key");
            } else {
                assertThat(partition.recordErrors()).isEmpty();
            }
        }
    }

    @Test
    void rejectsInvalidAcksForEveryPartition() {
        ProduceResponseData data =
                TestBroker.body(broker.call(handler, request((short) 12, (short) 2, topicByName("orders", 0, 1))));

        assertThat(data.responses().iterator().next().partitionResponses())
                .extracting(PartitionProduceResponse::errorCode)
                .containsExactly(Errors.INVALID_REQUIRED_ACKS.code(), Errors.INVALID_REQUIRED_ACKS.code());
        orders0.expectNoMessage();
    }

    @Test
    void answersUnknownTopicByNameAndById() {
        ProduceResponseData byName =
                TestBroker.body(broker.call(handler, request((short) 12, (short) 1, topicByName("nope", 0))));
        Uuid unknownId = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAcw");
        ProduceResponseData byId =
                TestBroker.body(broker.call(handler, request((short) 13, (short) 1, topicById(unknownId, 0))));

        assertThat(byName.responses()
                        .iterator()
                        .next()
                        .partitionResponses()
                        .get(0)
                        .errorCode())
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        TopicProduceResponse idTopic = byId.responses().iterator().next();
        assertThat(idTopic.topicId()).isEqualTo(unknownId);
        assertThat(idTopic.partitionResponses().get(0).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_ID.code());
    }

    @Test
    void answersNotLeaderWithCurrentLeaderAndEndpoint() {
        ProduceResponseData data =
                TestBroker.body(broker.call(handler, request((short) 13, (short) 1, topicById(REMOTE_ID, 0))));

        PartitionProduceResponse partition =
                data.responses().iterator().next().partitionResponses().get(0);
        assertThat(partition.errorCode()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
        assertThat(partition.currentLeader().leaderId()).isEqualTo(2);
        assertThat(partition.currentLeader().leaderEpoch()).isEqualTo(9);
        assertThat(data.nodeEndpoints()).singleElement().satisfies(endpoint -> {
            assertThat(endpoint.nodeId()).isEqualTo(2);
            assertThat(endpoint.host()).isEqualTo("127.0.0.2");
            assertThat(endpoint.port()).isEqualTo(9093);
            assertThat(endpoint.rack()).isEqualTo("rack-b");
        });
    }

    @Test
    void answersNothingForAcksZero() throws Exception {
        CompletableFuture<ApiResponse> answer =
                broker.call(handler, request((short) 12, (short) 0, topicByName("orders", 0)));

        PartitionActor.Append append = orders0.expectMessageClass(PartitionActor.Append.class);
        assertThat(append.requiredAcks()).isZero();
        append.replyTo()
                .tell(new PartitionActor.AppendResponse(
                        new TopicPartition("orders", 0), Errors.NONE, null, 0L, -1L, 0L));
        assertThat(answer.get().hasBody()).isFalse();
    }

    /** Kafka's ProduceRequest.validateRecords, before any append: old clients get what Kafka answers. */
    @Test
    void refusesWhatKafkaRefusesInV3PlusRequests() {
        MemoryRecords magicV1 = MemoryRecords.withRecords(
                RecordBatch.MAGIC_VALUE_V1, Compression.NONE, new SimpleRecord("old".getBytes(StandardCharsets.UTF_8)));
        MemoryRecords zstd = MemoryRecords.withRecords(
                Compression.zstd().build(), new SimpleRecord("z".getBytes(StandardCharsets.UTF_8)));
        ByteBuffer one = MemoryRecords.withRecords(
                        Compression.NONE, new SimpleRecord("1".getBytes(StandardCharsets.UTF_8)))
                .buffer();
        ByteBuffer two = ByteBuffer.allocate(one.remaining() * 2)
                .put(one.duplicate())
                .put(one.duplicate())
                .flip();

        assertThat(errorFor((short) 3, magicV1)).isEqualTo(Errors.INVALID_RECORD);
        assertThat(errorFor((short) 9, MemoryRecords.readableRecords(two))).isEqualTo(Errors.INVALID_RECORD);
        assertThat(errorFor((short) 6, zstd)).isEqualTo(Errors.UNSUPPORTED_COMPRESSION_TYPE);
        orders0.expectNoMessage();

        CompletableFuture<ApiResponse> v7 = broker.call(handler, request((short) 7, (short) -1, records(zstd)));
        orders0.expectMessageClass(PartitionActor.Append.class);
        assertThat(v7).isNotDone();
    }

    private Errors errorFor(short version, MemoryRecords records) {
        ProduceResponseData data =
                TestBroker.body(broker.call(handler, request(version, (short) -1, records(records))));
        return Errors.forCode(
                data.responses().iterator().next().partitionResponses().get(0).errorCode());
    }

    private static TopicProduceData records(MemoryRecords records) {
        TopicProduceData topic = new TopicProduceData().setName("orders");
        topic.partitionData().add(new PartitionProduceData().setIndex(0).setRecords(records));
        return topic;
    }

    private static ProduceRequest request(short version, short acks, TopicProduceData topic) {
        ProduceRequestData data = new ProduceRequestData().setAcks(acks).setTimeoutMs(30_000);
        data.topicData().add(topic);
        return new ProduceRequest(data, version);
    }

    private static TopicProduceData topicByName(String name, int... partitions) {
        return partitions(new TopicProduceData().setName(name), partitions);
    }

    private static TopicProduceData topicById(Uuid id, int... partitions) {
        return partitions(new TopicProduceData().setTopicId(id), partitions);
    }

    private static TopicProduceData partitions(TopicProduceData topic, int... partitions) {
        for (int p : partitions) {
            topic.partitionData()
                    .add(new PartitionProduceData()
                            .setIndex(p)
                            .setRecords(MemoryRecords.withRecords(
                                    Compression.NONE,
                                    new SimpleRecord("a".getBytes(StandardCharsets.UTF_8)),
                                    new SimpleRecord("b".getBytes(StandardCharsets.UTF_8)))));
        }
        return topic;
    }

    private static List<String> values(MemoryRecords records) {
        List<String> values = new java.util.ArrayList<>();
        for (Record record : records.records()) {
            byte[] bytes = new byte[record.valueSize()];
            record.value().get(bytes);
            values.add(new String(bytes, StandardCharsets.UTF_8));
        }
        return values;
    }
}
