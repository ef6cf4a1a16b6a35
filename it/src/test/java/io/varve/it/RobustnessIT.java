package io.varve.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.it.support.NodeProcess;
import io.varve.it.support.RawKafkaConnection;
import io.varve.storage.testing.CorruptBatches;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real node (a child JVM at {@value #HEAP}, as {@code bin/varve start} runs it) under abusive
 * clients, all at once: connections that pipeline Fetch requests and never read their answers,
 * connections that announce a 100 MiB request and stall half a megabyte into it, and a Produce of
 * every kind of corrupt batch, a null records field and a transactional batch without a
 * transactional id, and frames Kafka closes the connection for (negative or oversized size, unknown
 * API key, unsupported version, a request cut short). Every corrupt produce gets its Kafka error
 * code in the produce response, every bad frame gets its connection closed, and a valid produce to
 * the same partition right after each is appended at the next offset; with the abusers still
 * connected, a healthy producer and consumer then write and read the same partition exactly. The node never runs out of memory and never loses a network thread. Timing is
 * not asserted (the 512 MiB, 128 + 50 connection scenario runs by hand: {@code bench/abuse.sh}).
 */
class RobustnessIT {
    private static final String HEAP = "256m";
    private static final String TOPIC = "robust";
    private static final int NEVER_READING = 16;
    private static final int FETCHES_EACH = 5_000;
    private static final int STALLED = 8;
    private static final int ANNOUNCED_BYTES = 100 * 1024 * 1024;
    private static final int SENT_BEFORE_STALLING = 512 * 1024;
    private static final int RECORDS = 200;

    private Path workDir;
    private NodeProcess node;
    private final List<SocketChannel> abusers = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        workDir = Files.createTempDirectory("varve-robustness-");
        node = NodeProcess.start(workDir, 1, HEAP, "");
        try (Admin admin = node.admin()) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
        }
    }

    @AfterEach
    void stop() throws IOException {
        for (SocketChannel abuser : abusers) {
            abuser.close();
        }
        node.close();
        try (Stream<Path> files = Files.walk(workDir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    @Test
    void abusiveClientsGetErrorCodesOrBackpressureAndHealthyClientsAreServedExactly() throws Exception {
        for (int i = 0; i < NEVER_READING; i++) {
            abusers.add(pipelineFetchesWithoutReading(i));
        }
        for (int i = 0; i < STALLED; i++) {
            abusers.add(announceAndStall());
        }

        long valid = 0; // every bad produce is followed by a valid one, appended at the next offset
        try (RawKafkaConnection raw = RawKafkaConnection.open(node.bootstrapServers())) {
            for (CorruptBatches.Kind kind : CorruptBatches.all(System.currentTimeMillis())) {
                assertThat(produce(raw, kind.records())).as(kind.name()).isEqualTo(kind.expected());
                assertThat(produceValid(raw, valid))
                        .as("valid produce after " + kind.name())
                        .isEqualTo(valid++);
            }
            long now = System.currentTimeMillis();
            MemoryRecords oneAhead = MemoryRecords.withRecords(
                    Compression.NONE,
                    new SimpleRecord(now, "a".getBytes(StandardCharsets.UTF_8)),
                    new SimpleRecord(now + Duration.ofHours(2).toMillis(), "b".getBytes(StandardCharsets.UTF_8)),
                    new SimpleRecord(now, "c".getBytes(StandardCharsets.UTF_8)));
            PartitionProduceResponse perRecord = produceAnswer(raw, oneAhead);
            assertThat(Errors.forCode(perRecord.errorCode())).isEqualTo(Errors.INVALID_TIMESTAMP);
            assertThat(perRecord.recordErrors()) // Produce v8+: the offending record's index and why
                    .singleElement()
                    .satisfies(error -> {
                        assertThat(error.batchIndex()).isEqualTo(1);
                        assertThat(error.batchIndexErrorMessage()).isNotBlank();
                    });
            assertThat(produceValid(raw, valid)).isEqualTo(valid++);
            assertThat(produce(raw, null)).as("null records").isEqualTo(Errors.INVALID_RECORD);
            assertThat(produceValid(raw, valid)).isEqualTo(valid++);
            MemoryRecords transactional = MemoryRecords.withTransactionalRecords(
                    Compression.NONE, 77L, (short) 0, 0, new SimpleRecord("t".getBytes(StandardCharsets.UTF_8)));
            assertThat(produceWithoutTransactionalId(raw, transactional))
                    .as("transactional batch without transactional id")
                    .isEqualTo(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
            assertThat(produceValid(raw, valid)).isEqualTo(valid++);

            for (Map.Entry<String, ByteBuffer> bad : badFrames().entrySet()) {
                assertThat(closedByTheNode(bad.getValue())).as(bad.getKey()).isTrue();
                assertThat(produceValid(raw, valid))
                        .as("valid produce after " + bad.getKey())
                        .isEqualTo(valid++);
            }
            assertThat(tooNewApiVersions()).as("ApiVersions v127 (KIP-511)").isEqualTo(Errors.UNSUPPORTED_VERSION);
        }
        int validBefore = (int) valid;

        List<Long> offsets = new ArrayList<>();
        try (KafkaProducer<String, String> producer = node.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            for (int i = 0; i < RECORDS; i++) {
                offsets.add(producer.send(new ProducerRecord<>(TOPIC, 0, "k" + i, "v" + i))
                        .get()
                        .offset());
            }
        }
        // no corrupt batch reached the log: the valid produces hold offsets 0.. and the producer follows
        assertThat(offsets).first().isEqualTo((long) validBefore);
        assertThat(offsets).isSorted().doesNotHaveDuplicates().last().isEqualTo((long) validBefore + RECORDS - 1);
        List<ConsumerRecord<String, String>> read = new ArrayList<>();
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        try (KafkaConsumer<String, String> consumer = node.consumer()) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (read.size() < validBefore + RECORDS && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(read::add);
            }
        }
        assertThat(read).hasSize(validBefore + RECORDS);
        for (int i = 0; i < validBefore; i++) {
            assertThat(read.get(i).offset()).isEqualTo(i);
            assertThat(read.get(i).value()).isEqualTo("valid-" + i);
        }
        for (int i = 0; i < RECORDS; i++) {
            assertThat(read.get(validBefore + i).offset()).isEqualTo(validBefore + i);
            assertThat(read.get(validBefore + i).value()).isEqualTo("v" + i);
        }
        String log = node.output();
        assertThat(log).doesNotContain("OutOfMemoryError").doesNotContain("Replaced the failed network thread");
        assertThat(node.pid()).isPositive();
    }

    /** A valid one-record produce ("valid-" + n), answered NONE; returns its base offset. */
    private static long produceValid(RawKafkaConnection raw, long n) throws IOException {
        MemoryRecords records = MemoryRecords.withRecords(
                Compression.NONE, new SimpleRecord(("valid-" + n).getBytes(StandardCharsets.UTF_8)));
        PartitionProduceResponse answer = produceAnswer(raw, records);
        assertThat(Errors.forCode(answer.errorCode())).as("valid produce " + n).isEqualTo(Errors.NONE);
        return answer.baseOffset();
    }

    /**
     * Frames Kafka closes the connection for: a negative size, a size past socket.request.max.bytes,
     * an unknown API key, an unsupported Produce version, a Produce cut short inside its body.
     */
    private static Map<String, ByteBuffer> badFrames() {
        Map<String, ByteBuffer> frames = new LinkedHashMap<>();
        frames.put("negative size", ByteBuffer.allocate(4).putInt(-1).flip());
        frames.put(
                "size past socket-request-max-bytes",
                ByteBuffer.allocate(4).putInt(ANNOUNCED_BYTES + 1).flip());
        frames.put("unknown API key 999", frame(header((short) 999, (short) 0, 1)));
        frames.put("Produce v99", frame(header(ApiKeys.PRODUCE.id, (short) 99, 2)));
        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000);
        TopicProduceData topic = new TopicProduceData().setName(TOPIC);
        topic.partitionData()
                .add(new PartitionProduceData()
                        .setIndex(0)
                        .setRecords(MemoryRecords.withRecords(
                                Compression.NONE, new SimpleRecord("cut".getBytes(StandardCharsets.UTF_8)))));
        data.topicData().add(topic);
        ByteBuffer whole = new ProduceRequest(data, (short) 12)
                .serializeWithHeader(new RequestHeader(ApiKeys.PRODUCE, (short) 12, "robustness", 3));
        frames.put(
                "Produce v12 cut short in its body",
                frame(whole.limit(whole.limit() - 40).slice()));
        return frames;
    }

    private static ByteBuffer header(short apiKey, short version, int correlationId) {
        return ByteBuffer.allocate(10)
                .putShort(apiKey)
                .putShort(version)
                .putInt(correlationId)
                .putShort((short) -1)
                .flip();
    }

    private static ByteBuffer frame(ByteBuffer payload) {
        return ByteBuffer.allocate(4 + payload.remaining())
                .putInt(payload.remaining())
                .put(payload)
                .flip();
    }

    /** Sends {@code bytes} on a fresh connection: true if the node closes it (EOF or reset) within 15 s. */
    private boolean closedByTheNode(ByteBuffer bytes) throws IOException {
        try (Socket socket = openSocket()) {
            socket.getOutputStream().write(bytes.array(), bytes.position(), bytes.remaining());
            socket.getOutputStream().flush();
            try {
                return socket.getInputStream().read() == -1;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException reset) {
                return true;
            }
        }
    }

    /** KIP-511: a too-new ApiVersions is answered (v0, UNSUPPORTED_VERSION) rather than closed. */
    private Errors tooNewApiVersions() throws IOException {
        try (Socket socket = openSocket()) {
            ByteBuffer request = frame(header(ApiKeys.API_VERSIONS.id, (short) 127, 4));
            socket.getOutputStream().write(request.array(), 0, request.remaining());
            socket.getOutputStream().flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] response = new byte[in.readInt()];
            in.readFully(response);
            ByteBuffer body = ByteBuffer.wrap(response);
            assertThat(body.getInt()).as("correlation id").isEqualTo(4);
            return Errors.forCode(body.getShort());
        }
    }

    private Socket openSocket() throws IOException {
        String[] hostPort = node.bootstrapServers().split(":");
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), 15_000);
        socket.setSoTimeout(15_000);
        return socket;
    }

    /**
     * A Produce v12 of {@code records} to the partition, answered with its error. A transactional
     * batch is sent with a transactional id (without one Kafka and Varve fail the whole request
     * first, which the test checks on its own).
     */
    private static Errors produce(RawKafkaConnection raw, MemoryRecords records) throws IOException {
        return Errors.forCode(produceAnswer(raw, records).errorCode());
    }

    private static PartitionProduceResponse produceAnswer(RawKafkaConnection raw, MemoryRecords records)
            throws IOException {
        TopicProduceData topic = new TopicProduceData().setName(TOPIC);
        topic.partitionData().add(new PartitionProduceData().setIndex(0).setRecords(records));
        ProduceRequestData data = new ProduceRequestData()
                .setAcks((short) -1)
                .setTimeoutMs(10_000)
                .setTransactionalId(isTransactional(records) ? "robustness-tx" : null);
        data.topicData().add(topic);
        ProduceResponse response = raw.send(new ProduceRequest(data, (short) 12));
        return response.data()
                .responses()
                .iterator()
                .next()
                .partitionResponses()
                .get(0);
    }

    private static Errors produceWithoutTransactionalId(RawKafkaConnection raw, MemoryRecords records)
            throws IOException {
        TopicProduceData topic = new TopicProduceData().setName(TOPIC);
        topic.partitionData().add(new PartitionProduceData().setIndex(0).setRecords(records));
        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000);
        data.topicData().add(topic);
        ProduceResponse response = raw.send(new ProduceRequest(data, (short) 12));
        return Errors.forCode(response.data()
                .responses()
                .iterator()
                .next()
                .partitionResponses()
                .get(0)
                .errorCode());
    }

    private static boolean isTransactional(MemoryRecords records) {
        ByteBuffer buffer = records == null ? ByteBuffer.allocate(0) : records.buffer();
        return buffer.remaining() > 22
                && buffer.get(buffer.position() + 16) == 2
                && (buffer.getShort(buffer.position() + 21) & 0x10) != 0;
    }

    /** Writes Fetch requests until the broker stops taking them; never reads an answer. */
    private SocketChannel pipelineFetchesWithoutReading(int client) throws IOException {
        SocketChannel channel = connect();
        FetchRequestData data =
                new FetchRequestData().setMaxWaitMs(0).setMinBytes(0).setMaxBytes(1 << 20);
        data.topics()
                .add(new FetchRequestData.FetchTopic()
                        .setTopic(TOPIC)
                        .setPartitions(List.of(new FetchRequestData.FetchPartition()
                                .setPartition(0)
                                .setFetchOffset(0)
                                .setPartitionMaxBytes(1 << 20))));
        FetchRequest fetch = new FetchRequest(data, (short) 12);
        List<ByteBuffer> frames = new ArrayList<>();
        int bytes = 0;
        for (int i = 0; i < FETCHES_EACH; i++) {
            ByteBuffer frame =
                    fetch.serializeWithHeader(new RequestHeader(ApiKeys.FETCH, (short) 12, "never-reads-" + client, i));
            frames.add(frame);
            bytes += 4 + frame.remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(bytes);
        for (ByteBuffer frame : frames) {
            all.putInt(frame.remaining()).put(frame);
        }
        all.flip();
        channel.configureBlocking(false);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (all.hasRemaining() && System.nanoTime() < deadline) {
            if (channel.write(all) == 0) {
                Thread.onSpinWait();
            }
        }
        return channel;
    }

    /** Announces a 100 MiB request (the largest allowed), sends half a megabyte of it and stalls. */
    private SocketChannel announceAndStall() throws IOException {
        SocketChannel channel = connect();
        ByteBuffer start = ByteBuffer.allocate(4 + SENT_BEFORE_STALLING).putInt(ANNOUNCED_BYTES);
        start.putShort(ApiKeys.PRODUCE.id).putShort((short) 12).putInt(1);
        start.position(0);
        while (start.hasRemaining()) {
            channel.write(start);
        }
        return channel;
    }

    private SocketChannel connect() throws IOException {
        String[] hostPort = node.bootstrapServers().split(":");
        return SocketChannel.open(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])));
    }
}
