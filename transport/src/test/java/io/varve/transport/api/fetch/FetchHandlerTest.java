package io.varve.transport.api.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.partition.PartitionActor;
import io.varve.storage.index.AbortedTxn;
import io.varve.storage.log.LogSlice;
import io.varve.storage.log.SharedFile;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.codec.LogSliceRecords;
import io.varve.transport.testing.Images;
import io.varve.transport.testing.TestBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FetchHandlerTest {
    private static final ActorTestKit testKit = ActorTestKit.create(ManualTime.config());
    private static final ManualTime manualTime = ManualTime.get(testKit.system());
    private static final Uuid ORDERS_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");
    private static final Uuid REMOTE_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAg");
    private static SharedFile segment;

    private final FetchSessionCache sessions = new FetchSessionCache();
    private final FetchHandler handler = new FetchHandler(sessions);
    private final TestBroker broker = new TestBroker(testKit, false);
    private final TestProbe<PartitionActor.Command> orders0 = testKit.createTestProbe();
    private final TestProbe<PartitionActor.Command> orders1 = testKit.createTestProbe();

    FetchHandlerTest() {
        broker.update(Images.withTopic(broker.image(), "orders", ORDERS_ID, 2, 1, 3));
        broker.update(Images.withTopic(broker.image(), "remote", REMOTE_ID, 1, 2, 9));
        broker.partitions.host(new TopicPartition("orders", 0), orders0.ref());
        broker.partitions.host(new TopicPartition("orders", 1), orders1.ref());
    }

    /** A segment file of 2000 bytes that every zero-copy slice of these tests points into. */
    @BeforeAll
    static void openSegment(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("00000000000000000000.log");
        Files.write(file, new byte[2000]);
        segment = SharedFile.open(file);
    }

    @AfterAll
    static void shutdown() {
        segment.release();
        testKit.shutdownTestKit();
    }

    @Test
    void fullFetchAnswersFileSliceOffsetsAndOpensSession() {
        CompletableFuture<ApiResponse> answer =
                broker.call(handler, request(17, 0, 0, FetchMetadata.INITIAL, orders(0, 5L)));

        PartitionActor.Read read = orders0.expectMessageClass(PartitionActor.Read.class);
        assertThat(read.fetchOffset()).isEqualTo(5L);
        assertThat(read.maxBytes()).isEqualTo(1 << 20);
        assertThat(read.readCommitted()).isFalse();
        assertThat(read.minOneBatch()).isTrue();
        assertThat(read.currentLeaderEpoch()).isEqualTo(3);
        read.replyTo().tell(readResponse(0, 100, 20L, 18L, 2L));

        FetchResponseData data = TestBroker.body(answer);
        assertThat(data.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(data.sessionId()).isPositive();
        assertThat(data.responses()).singleElement().satisfies(t -> assertThat(t.topicId())
                .isEqualTo(ORDERS_ID));
        PartitionData partition = data.responses().get(0).partitions().get(0);
        assertThat(partition.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(partition.highWatermark()).isEqualTo(20L);
        assertThat(partition.lastStableOffset()).isEqualTo(18L);
        assertThat(partition.logStartOffset()).isEqualTo(2L);
        assertThat(partition.abortedTransactions()).isEmpty();
        assertThat(partition.records()).isInstanceOf(LogSliceRecords.class);
        LogSlice slice = ((LogSliceRecords) partition.records()).slice();
        assertThat(slice.file().path()).isEqualTo(segment.path());
        assertThat(slice.position()).isZero();
        assertThat(slice.length()).isEqualTo(100);
        assertThat(slice.firstBatchOffset()).isEqualTo(5L);
        assertThat(slice.file().isReleased())
                .as("released by the connection once sent")
                .isFalse();
        slice.release();
    }

    @Test
    void incrementalFetchAnswersOnlyChangedPartitions() {
        CompletableFuture<ApiResponse> first =
                broker.call(handler, request(17, 0, 0, FetchMetadata.INITIAL, orders(0, 5L, 1, 7L)));
        orders0.expectMessageClass(PartitionActor.Read.class).replyTo().tell(readResponse(0, 0, 5L, 5L, 0L));
        orders1.expectMessageClass(PartitionActor.Read.class).replyTo().tell(readResponse(1, 0, 7L, 7L, 0L));
        int sessionId = TestBroker.<FetchResponseData>body(first).sessionId();

        CompletableFuture<ApiResponse> second =
                broker.call(handler, request(17, 0, 0, new FetchMetadata(sessionId, 1), Map.of()));
        PartitionActor.Read read0 = orders0.expectMessageClass(PartitionActor.Read.class);
        assertThat(read0.fetchOffset()).isEqualTo(5L);
        read0.replyTo().tell(readResponse(0, 0, 5L, 5L, 0L));
        orders1.expectMessageClass(PartitionActor.Read.class).replyTo().tell(readResponse(1, 50, 9L, 9L, 0L));

        FetchResponseData data = TestBroker.body(second);
        assertThat(data.sessionId()).isEqualTo(sessionId);
        assertThat(data.responses().get(0).partitions())
                .extracting(PartitionData::partitionIndex)
                .containsExactly(1);
    }

    @Test
    void answersSessionErrorsWithoutReading() {
        FetchResponseData unknown =
                TestBroker.body(broker.call(handler, request(17, 0, 0, new FetchMetadata(12345, 1), Map.of())));

        assertThat(unknown.errorCode()).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND.code());
        assertThat(unknown.responses()).isEmpty();
        orders0.expectNoMessage();
    }

    @Test
    void keepsFirstPartitionWholeAndDropsOneBeyondResponseMaxBytes() {
        FetchRequest request = FetchRequest.Builder.forConsumer((short) 17, 0, 0, orders(0, 0L, 1, 0L))
                .metadata(FetchMetadata.LEGACY)
                .setMaxBytes(1000)
                .build((short) 17);
        CompletableFuture<ApiResponse> answer = broker.call(handler, request);
        orders0.expectMessageClass(PartitionActor.Read.class).replyTo().tell(readResponse(0, 1200, 30L, 30L, 0L));
        PartitionActor.ReadResponse dropped = readResponse(1, 300, 40L, 40L, 0L);
        orders1.expectMessageClass(PartitionActor.Read.class).replyTo().tell(dropped);

        List<PartitionData> partitions =
                TestBroker.<FetchResponseData>body(answer).responses().get(0).partitions();
        assertThat(partitions.get(0).records().sizeInBytes()).isEqualTo(1200);
        assertThat(partitions.get(1).records()).isEqualTo(MemoryRecords.EMPTY);
        assertThat(partitions.get(1).highWatermark()).isEqualTo(40L);
        assertThat(dropped.slice().file().isReleased())
                .as("records left out of the response give their segment file back")
                .isTrue();
    }

    /** librdkafka 0082: fetch.max.bytes 1 MB with max.partition.fetch.bytes 20 MB got 20 MB. */
    @Test
    void readsEachPartitionForAtMostTheResponseMaxBytes() {
        FetchRequest request = FetchRequest.Builder.forConsumer((short) 17, 0, 0, orders(0, 0L, 1, 0L))
                .metadata(FetchMetadata.LEGACY)
                .setMaxBytes(1_000)
                .build((short) 17);
        CompletableFuture<ApiResponse> answer = broker.call(handler, request);
        PartitionActor.Read read0 = orders0.expectMessageClass(PartitionActor.Read.class);
        PartitionActor.Read read1 = orders1.expectMessageClass(PartitionActor.Read.class);
        assertThat(read0.maxBytes()).isEqualTo(1_000);
        assertThat(read1.maxBytes()).isEqualTo(1_000);
        read0.replyTo().tell(readResponse(0, 1_000, 30L, 30L, 0L));
        read1.replyTo().tell(readResponse(1, 1_000, 40L, 40L, 0L));

        List<PartitionData> partitions =
                TestBroker.<FetchResponseData>body(answer).responses().get(0).partitions();
        assertThat(partitions.get(0).records().sizeInBytes()).isEqualTo(1_000);
        assertThat(partitions.get(1).records()).isEqualTo(MemoryRecords.EMPTY);
        release(answer);
    }

    /** Kafka fills the response up to its max bytes: a later partition is cut where the limit falls. */
    @Test
    void cutsLaterPartitionAtWhatIsLeftOfResponseMaxBytes() {
        FetchRequest request = FetchRequest.Builder.forConsumer((short) 17, 0, 0, orders(0, 0L, 1, 0L))
                .metadata(FetchMetadata.LEGACY)
                .setMaxBytes(1_000)
                .build((short) 17);
        CompletableFuture<ApiResponse> answer = broker.call(handler, request);
        orders0.expectMessageClass(PartitionActor.Read.class).replyTo().tell(readResponse(0, 600, 30L, 30L, 0L));
        orders1.expectMessageClass(PartitionActor.Read.class).replyTo().tell(readResponse(1, 700, 40L, 40L, 0L));

        List<PartitionData> partitions =
                TestBroker.<FetchResponseData>body(answer).responses().get(0).partitions();
        LogSlice first = ((LogSliceRecords) partitions.get(0).records()).slice();
        LogSlice cut = ((LogSliceRecords) partitions.get(1).records()).slice();
        assertThat(List.of(first.position(), first.length(), cut.position(), cut.length()))
                .containsExactly(0, 600, 0, 400);
        assertThat(cut.file().isReleased()).as("the cut is still to be sent").isFalse();
        assertThat(partitions.get(1).highWatermark()).isEqualTo(40L);
        release(answer);
    }

    @Test
    void answersUnknownTopicIdAndNotLeaderWithLeaderHint() {
        Uuid unknownId = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAcw");
        Map<TopicPartition, FetchRequest.PartitionData> data = new LinkedHashMap<>();
        data.put(new TopicPartition("x", 0), partitionData(unknownId, 0L));
        data.put(new TopicPartition("remote", 0), partitionData(REMOTE_ID, 0L));

        FetchResponseData response =
                TestBroker.body(broker.call(handler, request(17, 0, 0, FetchMetadata.LEGACY, data)));

        assertThat(response.responses()).hasSize(2);
        assertThat(response.responses().get(0).topicId()).isEqualTo(unknownId);
        assertThat(response.responses().get(0).partitions().get(0).errorCode())
                .isEqualTo(Errors.UNKNOWN_TOPIC_ID.code());
        PartitionData remote = response.responses().get(1).partitions().get(0);
        assertThat(remote.errorCode()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
        assertThat(remote.highWatermark()).isEqualTo(-1L);
        assertThat(remote.currentLeader().leaderId()).isEqualTo(2);
        assertThat(remote.currentLeader().leaderEpoch()).isEqualTo(9);
        assertThat(response.nodeEndpoints()).singleElement().satisfies(e -> assertThat(e.port())
                .isEqualTo(9093));
    }

    @Test
    void readCommittedAnswersAbortedTransactions() {
        FetchRequest request = FetchRequest.Builder.forConsumer((short) 17, 0, 0, orders(0, 0L))
                .isolationLevel(IsolationLevel.READ_COMMITTED)
                .metadata(FetchMetadata.LEGACY)
                .build((short) 17);
        CompletableFuture<ApiResponse> answer = broker.call(handler, request);
        PartitionActor.Read read = orders0.expectMessageClass(PartitionActor.Read.class);
        assertThat(read.readCommitted()).isTrue();
        read.replyTo()
                .tell(new PartitionActor.ReadResponse(
                        new TopicPartition("orders", 0),
                        Errors.NONE,
                        null,
                        LogSlice.ofFile(segment.retain(), 0, 10, 0L),
                        9L,
                        4L,
                        0L,
                        List.of(new AbortedTxn(77L, 2L, 3L, 2L))));

        PartitionData partition = TestBroker.<FetchResponseData>body(answer)
                .responses()
                .get(0)
                .partitions()
                .get(0);
        assertThat(partition.abortedTransactions()).singleElement().satisfies(txn -> {
            assertThat(txn.producerId()).isEqualTo(77L);
            assertThat(txn.firstOffset()).isEqualTo(2L);
        });
    }

    @Test
    void longPollIsAnsweredWithThePartitionsReadInOneMessage() {
        CompletableFuture<ApiResponse> answer =
                broker.call(handler, request(17, 500, 1, FetchMetadata.LEGACY, orders(0, 5L)));
        orders0.expectMessageClass(PartitionActor.Read.class).replyTo().tell(readResponse(0, 0, 5L, 5L, 0L));

        PartitionActor.AwaitData await = orders0.expectMessageClass(PartitionActor.AwaitData.class);
        assertThat(await.read().fetchOffset()).isEqualTo(5L);
        assertThat(await.read().maxBytes()).isEqualTo(1 << 20);
        assertThat(await.read().currentLeaderEpoch()).isEqualTo(3);
        assertThat(await.awaitOffset()).isEqualTo(5L);
        assertThat(await.maxWaitMs()).isEqualTo(500);
        assertThat(await.fetchCompleted().getAsBoolean()).isFalse();
        assertThat(answer).isNotDone();
        await.read().replyTo().tell(readResponse(0, 64, 6L, 6L, 0L));

        PartitionData partition = TestBroker.<FetchResponseData>body(answer)
                .responses()
                .get(0)
                .partitions()
                .get(0);
        assertThat(partition.records().sizeInBytes()).isEqualTo(64);
        assertThat(partition.highWatermark()).isEqualTo(6L);
        orders0.expectNoMessage(Duration.ofMillis(100)); // no second Read: the wake-up carried the data
        release(answer);
    }

    @Test
    void longPollReadsOnlyThePartitionThatWokeIt() {
        CompletableFuture<ApiResponse> answer =
                broker.call(handler, request(17, 500, 1, FetchMetadata.LEGACY, orders(0, 5L, 1, 7L)));
        orders0.expectMessageClass(PartitionActor.Read.class).replyTo().tell(readResponse(0, 0, 5L, 5L, 0L));
        orders1.expectMessageClass(PartitionActor.Read.class).replyTo().tell(readResponse(1, 0, 7L, 7L, 0L));
        PartitionActor.AwaitData await0 = orders0.expectMessageClass(PartitionActor.AwaitData.class);
        PartitionActor.AwaitData await1 = orders1.expectMessageClass(PartitionActor.AwaitData.class);
        assertThat(await1.read().fetchOffset()).isEqualTo(7L);

        await1.read().replyTo().tell(readResponse(1, 64, 8L, 8L, 0L));

        // orders-0 said nothing new: its first read (high watermark 5, no records) is its answer
        List<PartitionData> partitions =
                TestBroker.<FetchResponseData>body(answer).responses().get(0).partitions();
        assertThat(partitions).extracting(PartitionData::partitionIndex).containsExactly(0, 1);
        assertThat(partitions.get(0).highWatermark()).isEqualTo(5L);
        assertThat(partitions.get(0).records()).isEqualTo(MemoryRecords.EMPTY);
        assertThat(partitions.get(1).highWatermark()).isEqualTo(8L);
        assertThat(partitions.get(1).records().sizeInBytes()).isEqualTo(64);
        orders0.expectNoMessage(Duration.ofMillis(100));
        orders1.expectNoMessage(Duration.ofMillis(100));
        // the fetch has answered: orders-0 drops the waiter instead of reading for nobody
        assertThat(await0.fetchCompleted().getAsBoolean()).isTrue();
        release(answer);
    }

    @Test
    void belowMinBytesParksAgainOnlyOnThePartitionThatAnswered() {
        CompletableFuture<ApiResponse> answer =
                broker.call(handler, request(17, 500, 100, FetchMetadata.LEGACY, orders(0, 5L, 1, 7L)));
        orders0.expectMessageClass(PartitionActor.Read.class).replyTo().tell(readResponse(0, 0, 5L, 5L, 0L));
        orders1.expectMessageClass(PartitionActor.Read.class).replyTo().tell(readResponse(1, 0, 7L, 7L, 0L));
        orders0.expectMessageClass(PartitionActor.AwaitData.class);
        PartitionActor.AwaitData first = orders1.expectMessageClass(PartitionActor.AwaitData.class);
        PartitionActor.ReadResponse small = readResponse(1, 64, 8L, 8L, 0L);
        first.read().replyTo().tell(small);

        PartitionActor.AwaitData second = orders1.expectMessageClass(PartitionActor.AwaitData.class);
        assertThat(second.read().fetchOffset()).isEqualTo(7L);
        assertThat(second.awaitOffset()).isEqualTo(8L);
        orders0.expectNoMessage(Duration.ofMillis(100)); // its waiter is still parked
        assertThat(answer).isNotDone();
        second.read().replyTo().tell(readResponse(1, 128, 9L, 9L, 0L));

        List<PartitionData> partitions =
                TestBroker.<FetchResponseData>body(answer).responses().get(0).partitions();
        assertThat(partitions.get(1).records().sizeInBytes()).isEqualTo(128);
        assertThat(partitions.get(1).highWatermark()).isEqualTo(9L);
        assertThat(small.slice().file().isReleased())
                .as("the superseded read gives its file back")
                .isTrue();
        release(answer);
    }

    @Test
    void aLongPollAnswerArrivingAfterTheFetchAnsweredGivesItsFileBack() {
        CompletableFuture<ApiResponse> answer =
                broker.call(handler, request(17, 500, 1, FetchMetadata.LEGACY, orders(0, 5L, 1, 7L)));
        orders0.expectMessageClass(PartitionActor.Read.class).replyTo().tell(readResponse(0, 0, 5L, 5L, 0L));
        orders1.expectMessageClass(PartitionActor.Read.class).replyTo().tell(readResponse(1, 0, 7L, 7L, 0L));
        PartitionActor.AwaitData await0 = orders0.expectMessageClass(PartitionActor.AwaitData.class);
        orders1.expectMessageClass(PartitionActor.AwaitData.class)
                .read()
                .replyTo()
                .tell(readResponse(1, 64, 8L, 8L, 0L));
        TestBroker.<FetchResponseData>body(answer);

        PartitionActor.ReadResponse late = readResponse(0, 32, 6L, 6L, 0L);
        await0.read().replyTo().tell(late);

        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!late.slice().file().isReleased() && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // bounded by the deadline; the outcome is the condition
        }
        assertThat(late.slice().file().isReleased()).isTrue();
        release(answer);
    }

    @Test
    void longPollAnswersEmptyAfterMaxWait() {
        CompletableFuture<ApiResponse> answer =
                broker.call(handler, request(17, 500, 1, FetchMetadata.LEGACY, orders(0, 5L)));
        orders0.expectMessageClass(PartitionActor.Read.class).replyTo().tell(readResponse(0, 0, 5L, 5L, 0L));
        PartitionActor.AwaitData await = orders0.expectMessageClass(PartitionActor.AwaitData.class);

        manualTime.timePasses(Duration.ofMillis(499));
        orders0.expectNoMessage(Duration.ofMillis(50));
        assertThat(answer).isNotDone();
        assertThat(await.fetchCompleted().getAsBoolean()).isFalse();
        manualTime.timePasses(Duration.ofMillis(1));
        assertThat(await.fetchCompleted().getAsBoolean()).isTrue();
        orders0.expectMessageClass(PartitionActor.Read.class).replyTo().tell(readResponse(0, 0, 5L, 5L, 0L));

        PartitionData partition = TestBroker.<FetchResponseData>body(answer)
                .responses()
                .get(0)
                .partitions()
                .get(0);
        assertThat(partition.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(partition.records()).isEqualTo(MemoryRecords.EMPTY);
    }

    /** What the connection does after sending an answer: give its segment files back. */
    private static void release(CompletableFuture<ApiResponse> answer) {
        LogSliceRecords.release(answer.join().body());
    }

    private static PartitionActor.ReadResponse readResponse(
            int partition, int bytes, long hw, long lso, long logStart) {
        return new PartitionActor.ReadResponse(
                new TopicPartition("orders", partition),
                Errors.NONE,
                null,
                bytes == 0 ? LogSlice.empty(0, 5L) : LogSlice.ofFile(segment.retain(), 0, bytes, 5L),
                hw,
                lso,
                logStart,
                List.of());
    }

    private static FetchRequest request(
            int version,
            int maxWaitMs,
            int minBytes,
            FetchMetadata metadata,
            Map<TopicPartition, FetchRequest.PartitionData> data) {
        return FetchRequest.Builder.forConsumer((short) version, maxWaitMs, minBytes, data)
                .metadata(metadata)
                .build((short) version);
    }

    private static Map<TopicPartition, FetchRequest.PartitionData> orders(Object... partitionAndOffset) {
        Map<TopicPartition, FetchRequest.PartitionData> data = new LinkedHashMap<>();
        for (int i = 0; i < partitionAndOffset.length; i += 2) {
            data.put(new TopicPartition("orders", (Integer) partitionAndOffset[i]), partitionData(ORDERS_ID, (Long)
                    partitionAndOffset[i + 1]));
        }
        return data;
    }

    private static FetchRequest.PartitionData partitionData(Uuid topicId, long fetchOffset) {
        return new FetchRequest.PartitionData(topicId, fetchOffset, -1L, 1 << 20, Optional.of(3));
    }
}
