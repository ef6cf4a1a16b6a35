package io.varve.transport.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.varve.partition.PartitionActor;
import io.varve.storage.log.LogConfig;
import io.varve.storage.log.LogSlice;
import io.varve.storage.log.PartitionLog;
import io.varve.storage.log.ReadResult;
import io.varve.storage.log.SharedFile;
import io.varve.storage.testing.Conditions;
import io.varve.transport.api.CoreHandlers;
import io.varve.transport.api.HandlerRegistry;
import io.varve.transport.testing.ClassicSpawner;
import io.varve.transport.testing.Images;
import io.varve.transport.testing.TestBroker;
import io.varve.transport.testing.WireClient;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.Patterns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Fetch whose partition answers with a slice of a real segment file: the record bytes must go out
 * as a file transfer (sendfile), not through the heap, and kafka-clients must decode the records
 * from the response, also when the transfer fills the socket and resumes when it drains. The slice
 * holds its segment file open: a segment deleted from disk between the read and the send still
 * sends its records; one truncated meanwhile fails that connection at once.
 */
class ZeroCopyFetchTest {
    private static final ActorTestKit testKit = ActorTestKit.create();
    private static final Uuid TOPIC_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");

    @TempDir
    Path dir;

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    void sendsRecordSectionFromTheFileAndClientDecodesRecords() throws Exception {
        Path segment = dir.resolve("00000000000000000000.log");
        MemoryRecords batch =
                MemoryRecords.withRecords(Compression.NONE, record("first"), record("second"), record("third"));
        ByteBuffer bytes = batch.buffer().duplicate();
        ByteBuffer file = ByteBuffer.allocate(13 + bytes.remaining())
                .put(new byte[13])
                .put(bytes)
                .flip();
        Files.write(segment, file.array());
        LogSlice slice = sliceOf(segment, 13, batch.sizeInBytes());

        TransportMetrics metrics = new TransportMetrics();
        InetSocketAddress address = serving(slice, metrics);

        FetchRequest request = fetchFromZero(1 << 20);
        FetchResponse response;
        try (WireClient client = new WireClient(address)) {
            client.send(request, 3);
            response = (FetchResponse) client.receive(request, 3);
        }

        PartitionData partition =
                response.data().responses().get(0).partitions().get(0);
        assertThat(partition.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(partition.highWatermark()).isEqualTo(3L);
        assertThat(offsetsAndValues(partition)).containsExactly("0:first", "1:second", "2:third");
        assertThat(metrics.bytesSentByPath()).isEqualTo(batch.sizeInBytes());
        assertThat(metrics.bytesSentByBuffer()).isPositive();
        assertThat(released(slice)).as("the slice's file is released once sent").isTrue();
    }

    @Test
    void sendsTheRecordsOfASegmentRetentionDeletedFromDiskBetweenReadAndSend() throws Exception {
        PartitionLog log = PartitionLog.open(
                dir.resolve("orders-0"),
                new TopicPartition("orders", 0),
                LogConfig.fromMap(Map.of(
                        TopicConfig.RETENTION_MS_CONFIG, "3600000", TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, "0")),
                0L,
                0L,
                false,
                86_400_000L,
                Clock.systemUTC());
        long twoHoursAgo = System.currentTimeMillis() - 7_200_000L;
        log.appendAsLeader(
                MemoryRecords.withRecords(
                        Compression.NONE, record(twoHoursAgo, "first"), record(twoHoursAgo, "second")),
                0);
        LogSlice slice = ((ReadResult.Data) log.read(0, 1 << 20, log.logEndOffset(), true)).slice();
        assertThat(slice.hasFile()).isTrue();

        assertThat(log.deleteOldSegments(log.logEndOffset())).isEqualTo(1);
        assertThat(log.maybeDeleteFilesPastDelay()).isEqualTo(1);
        try (Stream<Path> files = Files.list(dir.resolve("orders-0"))) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .as("the read segment's files are gone from disk")
                    .noneMatch(name -> name.startsWith("00000000000000000000.log"));
        }

        TransportMetrics metrics = new TransportMetrics();
        InetSocketAddress address = serving(slice, metrics);
        FetchRequest request = fetchFromZero(1 << 20);
        FetchResponse response;
        try (WireClient client = new WireClient(address)) {
            client.send(request, 3);
            response = (FetchResponse) client.receive(request, 3);
        }

        PartitionData partition =
                response.data().responses().get(0).partitions().get(0);
        assertThat(partition.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(offsetsAndValues(partition)).containsExactly("0:first", "1:second");
        assertThat(metrics.bytesSentByPath()).isEqualTo(slice.length());
        assertThat(released(slice)).isTrue();
        assertThat(slice.file().channel().isOpen())
                .as("the last reference to a deleted segment closes its file")
                .isFalse();
        log.close();
    }

    @Test
    void aSegmentTruncatedBetweenReadAndSendClosesThatConnectionOnly() throws Exception {
        PartitionLog log = PartitionLog.open(
                dir.resolve("orders-0"),
                new TopicPartition("orders", 0),
                LogConfig.fromMap(Map.of()),
                0L,
                0L,
                false,
                86_400_000L,
                Clock.systemUTC());
        long now = System.currentTimeMillis();
        log.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, record(now, "kept")), 0);
        log.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, record(now, "truncated")), 0);
        LogSlice slice = ((ReadResult.Data) log.read(0, 1 << 20, log.logEndOffset(), true)).slice();
        log.truncateTo(1); // as a follower truncates to its leader's log

        TransportMetrics metrics = new TransportMetrics();
        InetSocketAddress address = serving(slice, metrics);
        FetchRequest request = fetchFromZero(1 << 20);
        try (WireClient client = new WireClient(address)) {
            client.send(request, 3);
            // the response's size is already written: the only honest end is closing the connection
            assertThatThrownBy(() -> client.receive(request, 3)).isInstanceOf(EOFException.class);
        }
        assertThat(released(slice)).isTrue();

        ApiVersionsRequest versions = new ApiVersionsRequest.Builder().build((short) 3);
        try (WireClient other = new WireClient(address)) {
            other.send(versions, 4);
            ApiVersionsResponse answer = (ApiVersionsResponse) other.receive(versions, 4);
            assertThat(answer.data().errorCode()).isEqualTo(Errors.NONE.code());
        }
        log.close();
    }

    @Test
    void largeRecordSectionResumesOnAFullSocketAndLaterAnswersWaitTheirTurn() throws Exception {
        Path segment = dir.resolve("00000000000000000000.log");
        int count = 16 * 1024;
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            byte[] value = new byte[1000];
            ByteBuffer.wrap(value).putInt(i);
            records[i] = new SimpleRecord(value);
        }
        MemoryRecords batch = MemoryRecords.withRecords(Compression.NONE, records);
        ByteBuffer bytes = batch.buffer().duplicate();
        byte[] content = new byte[bytes.remaining()];
        bytes.get(content);
        Files.write(segment, content);
        LogSlice slice = sliceOf(segment, 0, content.length);

        TransportMetrics metrics = new TransportMetrics();
        InetSocketAddress address = serving(slice, metrics);

        FetchRequest fetch = fetchFromZero(64 << 20);
        ApiVersionsRequest versions = new ApiVersionsRequest.Builder().build((short) 3);
        FetchResponse response;
        ApiVersionsResponse afterwards;
        // a 4 KiB receive window against a 16 MiB section: the transfer stops on a full socket many times
        try (WireClient client = new WireClient(address, 4096)) {
            client.send(fetch, 5);
            client.send(versions, 6);
            response = (FetchResponse) client.receive(fetch, 5);
            afterwards = (ApiVersionsResponse) client.receive(versions, 6);
        }

        Records received = FetchResponse.recordsOrFail(
                response.data().responses().get(0).partitions().get(0));
        assertThat(received.sizeInBytes()).isEqualTo(content.length);
        int expected = 0;
        for (Record record : received.records()) {
            assertThat(record.offset()).isEqualTo(expected);
            assertThat(record.value().getInt(0)).isEqualTo(expected);
            expected++;
        }
        assertThat(expected).isEqualTo(count);
        assertThat(afterwards.data().errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(metrics.bytesSentByPath()).isEqualTo(content.length);
    }

    @Test
    void aClientGoneBeforeItsFetchIsAnsweredLeavesNoSegmentFileHeld() throws Exception {
        Path segment = dir.resolve("00000000000000000000.log");
        MemoryRecords batch = MemoryRecords.withRecords(Compression.NONE, record("first"));
        Files.write(segment, batch.buffer().array());
        LogSlice slice = sliceOf(segment, 0, batch.sizeInBytes());
        TestProbe<PartitionActor.Command> partition = testKit.createTestProbe();
        TestBroker broker = new TestBroker(testKit, false);
        broker.update(Images.withTopic(broker.image(), "orders", TOPIC_ID, 1, 1, 0));
        broker.partitions.host(new TopicPartition("orders", 0), partition.ref());
        InetSocketAddress address = start(broker, new TransportMetrics());

        FetchRequest request = fetchFromZero(1 << 20);
        PartitionActor.Read read;
        try (WireClient client = new WireClient(address)) {
            client.send(request, 3);
            read = partition.expectMessageClass(PartitionActor.Read.class);
            // the client leaves while the partition is still reading
        }
        // answered after the client left: the answer is dropped, and its segment file with it
        read.replyTo()
                .tell(new PartitionActor.ReadResponse(
                        new TopicPartition("orders", 0), Errors.NONE, null, slice, 1L, 1L, 0L, List.of()));
        assertThat(released(slice)).isTrue();
        assertThat(slice.file().channel().isOpen()).isFalse();
    }

    /** A listener whose only partition, orders-0, answers every Read with {@code slice}. */
    private static InetSocketAddress serving(LogSlice slice, TransportMetrics metrics) throws Exception {
        TestBroker broker = new TestBroker(testKit, false);
        broker.update(Images.withTopic(broker.image(), "orders", TOPIC_ID, 1, 1, 0));
        broker.partitions.host(new TopicPartition("orders", 0), testKit.spawn(answering(slice)));
        return start(broker, metrics);
    }

    /** Fetch v17 of orders-0 from offset 0, no long poll. */
    private static FetchRequest fetchFromZero(int partitionMaxBytes) {
        return FetchRequest.Builder.forConsumer(
                        (short) 17,
                        0,
                        1,
                        Map.of(
                                new TopicPartition("orders", 0),
                                new FetchRequest.PartitionData(TOPIC_ID, 0L, -1L, partitionMaxBytes, Optional.empty())))
                .metadata(FetchMetadata.LEGACY)
                .build((short) 17);
    }

    private static Behavior<PartitionActor.Command> answering(LogSlice slice) {
        return Behaviors.receiveMessage(command -> {
            if (command instanceof PartitionActor.Read read) {
                read.replyTo()
                        .tell(new PartitionActor.ReadResponse(
                                new TopicPartition("orders", 0), Errors.NONE, null, slice, 3L, 3L, 0L, List.of()));
            }
            return Behaviors.same();
        });
    }

    private static InetSocketAddress start(TestBroker broker, TransportMetrics metrics) throws Exception {
        ActorRef server = ClassicSpawner.spawn(
                testKit, KafkaServer.props(broker.services, HandlerRegistry.of(CoreHandlers.list()), metrics));
        Object bound = Patterns.ask(server, KafkaServer.GetBoundAddress.INSTANCE, Duration.ofSeconds(5))
                .toCompletableFuture()
                .get();
        return ((KafkaServer.BoundAddress) bound).address();
    }

    private static SimpleRecord record(String value) {
        return new SimpleRecord(value.getBytes(StandardCharsets.UTF_8));
    }

    private static SimpleRecord record(long timestamp, String value) {
        return new SimpleRecord(timestamp, null, value.getBytes(StandardCharsets.UTF_8));
    }

    /** A zero-copy slice of {@code file} that holds the only reference to it. */
    private static LogSlice sliceOf(Path file, int position, int length) throws IOException {
        SharedFile shared = SharedFile.open(file);
        LogSlice slice = LogSlice.ofFile(shared.retain(), position, length, 0L);
        shared.release();
        return slice;
    }

    /** Whether the connection released the slice's file (it does so right after the send). */
    private static boolean released(LogSlice slice) throws InterruptedException {
        return Conditions.awaitTrue(Duration.ofSeconds(10), () -> slice.file().isReleased());
    }

    private static List<String> offsetsAndValues(PartitionData partition) {
        List<String> out = new ArrayList<>();
        for (Record record : FetchResponse.recordsOrFail(partition).records()) {
            out.add(record.offset() + ":" + StandardCharsets.UTF_8.decode(record.value()));
        }
        return out;
    }
}
