package io.varve.transport.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.varve.metadata.PartitionRegistration;
import io.varve.partition.PartitionActor;
import io.varve.partition.PartitionSettings;
import io.varve.partition.ReplicaSpec;
import io.varve.storage.log.LogConfig;
import io.varve.storage.log.LogDirectory;
import io.varve.storage.testing.CorruptBatches;
import io.varve.storage.testing.RandomCases;
import io.varve.transport.api.CoreHandlers;
import io.varve.transport.api.HandlerRegistry;
import io.varve.transport.testing.ClassicSpawner;
import io.varve.transport.testing.Images;
import io.varve.transport.testing.TestBroker;
import io.varve.transport.testing.WireClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.pattern.Patterns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Random mutations of valid requests, sent over real sockets to a listener whose {@code orders-0}
 * is a real partition (its log in a temp dir): every one is answered (a response kafka-clients
 * decodes, with Kafka error codes for Produce) or its connection is closed, within the test's read
 * timeout; nothing throws in an actor or on a network thread (no ERROR line), and a healthy produce
 * on another connection is appended after each ({@value #SOCKET_CASES} cases). The decoder alone
 * takes many more mutations ({@value #DECODER_CASES}). Each case is drawn from a {@link Random} with
 * its own seed ({@link RandomCases}), which every assertion message names.
 */
class RequestMutationTest {
    private static final int DECODER_CASES = 500;
    private static final int SOCKET_CASES = 120;
    private static final List<String> OTHER_APIS = List.of("ApiVersions", "Metadata", "Fetch", "ListOffsets");
    private static final String TOPIC = "orders";
    private static final Uuid TOPIC_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");
    private static final long NOW = System.currentTimeMillis();
    private static final List<Errors> PRODUCE_ERRORS = List.of(
            Errors.NONE,
            Errors.CORRUPT_MESSAGE,
            Errors.INVALID_RECORD,
            Errors.MESSAGE_TOO_LARGE,
            Errors.UNSUPPORTED_COMPRESSION_TYPE,
            Errors.INVALID_TIMESTAMP,
            Errors.INVALID_REQUIRED_ACKS,
            Errors.UNKNOWN_TOPIC_OR_PARTITION,
            Errors.UNKNOWN_TOPIC_ID,
            Errors.NOT_LEADER_OR_FOLLOWER,
            Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
            Errors.INVALID_PRODUCER_EPOCH,
            Errors.OUT_OF_ORDER_SEQUENCE_NUMBER,
            Errors.UNKNOWN_PRODUCER_ID);

    /** The catalogue's corrupt batches, as bytes: each request gets a copy (appends rewrite in place). */
    private static final List<byte[]> CORRUPT = CorruptBatches.all(NOW).stream()
            .map(kind -> {
                ByteBuffer buffer = kind.records().buffer();
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                return bytes;
            })
            .toList();

    private static ActorTestKit testKit;
    private static TestBroker broker;
    private static Path dataDir;
    private static InetSocketAddress address;
    private static WireClient healthy;
    private static int healthyCorrelation;
    private static long healthyOffset;
    private static final ListAppender<ILoggingEvent> errors = new ListAppender<>();

    /** A damage to the request bytes after the size prefix. */
    record Mutation(int kind, double position, byte value) {
        byte[] apply(byte[] payload) {
            if (payload.length == 0) {
                return payload;
            }
            int at = (int) (position * payload.length) % payload.length;
            byte[] out = payload.clone();
            switch (kind) {
                case 0 -> out[at] ^= (byte) (1 << (value & 7));
                case 1 -> out[at] = value;
                case 2 -> out = Arrays.copyOf(payload, at);
                default -> out[at] = (byte) 0xff;
            }
            return out;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        testKit = ActorTestKit.create();
        broker = new TestBroker(testKit, TestBroker.settings(0, false, 4 * 1024 * 1024));
        broker.update(Images.withTopic(broker.image(), TOPIC, TOPIC_ID, 1, 1, 0));
        dataDir = Files.createTempDirectory("request-mutations");
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        ActorRef<PartitionActor.Command> partition = testKit.spawn(
                PartitionActor.create(ReplicaSpec.standalone(
                        LogDirectory.open(dataDir),
                        tp,
                        TOPIC_ID,
                        LogConfig.defaults(),
                        new PartitionRegistration(0, List.of(1), List.of(1), 1, 0, 0),
                        1,
                        new PartitionSettings(
                                Duration.ofMinutes(5),
                                Duration.ofDays(1),
                                Duration.ofMinutes(10),
                                Duration.ofSeconds(1)))),
                "orders-0",
                DispatcherSelector.fromConfig("varve.storage-dispatcher"));
        broker.partitions.host(tp, partition);
        org.apache.pekko.actor.ActorRef server = ClassicSpawner.spawn(
                testKit,
                KafkaServer.props(broker.services, HandlerRegistry.of(CoreHandlers.list()), new TransportMetrics()));
        address = ((KafkaServer.BoundAddress)
                        Patterns.ask(server, KafkaServer.GetBoundAddress.INSTANCE, Duration.ofSeconds(5))
                                .toCompletableFuture()
                                .get())
                .address();
        healthy = new WireClient(address);
        errors.start();
        for (String name : List.of("io.varve.partition", "io.varve.transport.server")) {
            ((Logger) LoggerFactory.getLogger(name)).addAppender(errors);
        }
    }

    @AfterAll
    static void stop() throws IOException {
        healthy.close();
        testKit.shutdownTestKit();
        for (String name : List.of("io.varve.partition", "io.varve.transport.server")) {
            ((Logger) LoggerFactory.getLogger(name)).detachAppender(errors);
        }
        try (var files = Files.walk(dataDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(java.io.File::delete);
        }
    }

    /**
     * One case: a request (Produce three times in four: version 3 to the latest, any codec, catalogue
     * kind 0-56; else ApiVersions v3, Metadata v12, Fetch v17 or ListOffsets v10, equally likely) and
     * 1-3 mutations of its bytes. {@code version}, {@code codec} and {@code kind} matter for Produce only.
     */
    record Case(String api, short version, CompressionType codec, int kind, List<Mutation> damage) {
        static Case draw(Random random) {
            String api = random.nextInt(4) < 3 ? "Produce" : RandomCases.oneOf(random, OTHER_APIS);
            short version = (short) RandomCases.between(random, 3, ApiKeys.PRODUCE.latestVersion());
            CompressionType codec = RandomCases.oneOf(random, List.of(CompressionType.values()));
            int kind = RandomCases.between(random, 0, 56);
            int size = RandomCases.between(random, 1, 3);
            List<Mutation> damage = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                damage.add(new Mutation(
                        RandomCases.between(random, 0, 3), RandomCases.fraction(random), RandomCases.anyByte(random)));
            }
            return new Case(api, version, codec, kind, damage);
        }

        AbstractRequest request() {
            return switch (api) {
                case "Produce" -> produce(version, codec, kind);
                case "ApiVersions" -> new ApiVersionsRequest(
                        new ApiVersionsRequestData()
                                .setClientSoftwareName("props")
                                .setClientSoftwareVersion("1"),
                        (short) 3);
                case "Metadata" -> new MetadataRequest(new MetadataRequestData().setTopics(null), (short) 12);
                case "Fetch" -> fetch();
                default -> listOffsets();
            };
        }

        byte[] damagedPayload(int correlationId) {
            byte[] payload = payload(request(), correlationId);
            for (Mutation m : damage) {
                payload = m.apply(payload);
            }
            return payload;
        }
    }

    @Test
    void theDecoderNeverThrows() {
        RequestDecoder decoder = new RequestDecoder(HandlerRegistry.of(CoreHandlers.list()));
        for (long seed : RandomCases.seeds(DECODER_CASES).toArray()) {
            Case damage = Case.draw(new Random(seed));
            String where = RandomCases.describe(seed, damage);
            RequestDecoder.Decoded decoded;
            try {
                decoded = decoder.decode(ByteBuffer.wrap(damage.damagedPayload(1)));
            } catch (RuntimeException e) {
                throw new AssertionError(where + ": the decoder threw " + e, e);
            }
            assertThat(decoded).as(where).isNotNull();
        }
    }

    @Test
    void everyMutatedRequestIsAnsweredOrItsConnectionClosed() throws Exception {
        for (long seed : RandomCases.seeds(SOCKET_CASES).toArray()) {
            Case damage = Case.draw(new Random(seed));
            String where = RandomCases.describe(seed, damage);
            try {
                sendAndCheck(damage.damagedPayload(7), where);
                assertHealthyProduceIsAppended(where);
            } catch (IOException | RuntimeException e) {
                throw new AssertionError(where + ": threw " + e, e);
            }
            assertThat(errors.list.stream()
                            .filter(e -> e.getLevel() == Level.ERROR)
                            .map(ILoggingEvent::getFormattedMessage))
                    .as(where + ": ERROR lines")
                    .isEmpty();
        }
    }

    /** Sends one damaged request on a fresh connection; its answer must decode, or it must be closed. */
    private static void sendAndCheck(byte[] payload, String where) throws IOException {
        try (WireClient client = new WireClient(address)) {
            client.write(ByteBuffer.allocate(4 + payload.length)
                    .putInt(payload.length)
                    .put(payload)
                    .array());
            RequestHeader header = headerOrNull(payload);
            ByteBuffer answer = answerOrNull(client, where);
            if (answer != null && header != null && header.apiKey() == ApiKeys.PRODUCE) {
                ProduceResponse produce = (ProduceResponse) AbstractResponse.parseResponse(answer, header);
                produce.data().responses().forEach(topic -> topic.partitionResponses()
                        .forEach(p -> assertThat(Errors.forCode(p.errorCode()))
                                .as(where + ": partition error")
                                .isIn(PRODUCE_ERRORS)));
            } else if (answer != null && header != null) {
                AbstractResponse.parseResponse(answer, header);
            }
        }
    }

    /** A Produce of one valid batch (odd kinds) or of a catalogued corrupt one (even), by name or id. */
    private static AbstractRequest produce(short version, CompressionType codec, int kindIndex) {
        MemoryRecords records = kindIndex < CORRUPT.size() && kindIndex % 2 == 0
                ? MemoryRecords.readableRecords(
                        ByteBuffer.wrap(CORRUPT.get(kindIndex).clone()))
                : MemoryRecords.readableRecords(CorruptBatches.valid(NOW, 3, codec));
        TopicProduceData topic =
                version >= 13 ? new TopicProduceData().setTopicId(TOPIC_ID) : new TopicProduceData().setName(TOPIC);
        topic.partitionData().add(new PartitionProduceData().setIndex(0).setRecords(records));
        ProduceRequestData data = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(5000);
        data.topicData().add(topic);
        return new ProduceRequest(data, version);
    }

    private static AbstractRequest fetch() {
        FetchRequestData data =
                new FetchRequestData().setMaxWaitMs(0).setMinBytes(1).setMaxBytes(1 << 20);
        data.topics()
                .add(new FetchRequestData.FetchTopic()
                        .setTopicId(TOPIC_ID)
                        .setPartitions(List.of(new FetchRequestData.FetchPartition()
                                .setPartition(0)
                                .setFetchOffset(0)
                                .setPartitionMaxBytes(1 << 20))));
        return new FetchRequest(data, (short) 17);
    }

    private static AbstractRequest listOffsets() {
        return ListOffsetsRequest.Builder.forConsumer(true, IsolationLevel.READ_UNCOMMITTED)
                .setTargetTimes(List.of(new ListOffsetsTopic()
                        .setName(TOPIC)
                        .setPartitions(List.of(new ListOffsetsPartition()
                                .setPartitionIndex(0)
                                .setTimestamp(-1L)
                                .setCurrentLeaderEpoch(-1)))))
                .build((short) 10);
    }

    private static byte[] payload(AbstractRequest request, int correlationId) {
        ByteBuffer buffer = request.serializeWithHeader(WireClient.header(request, correlationId));
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    private static RequestHeader headerOrNull(byte[] payload) {
        try {
            return RequestHeader.parse(ByteBuffer.wrap(payload));
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The broker's answer, or null when it closed the connection; fails if it stays silent. */
    private static ByteBuffer answerOrNull(WireClient client, String where) throws IOException {
        if (client.isSilentFor(10_000)) {
            throw new AssertionError(where + ": neither answered nor closed within 10 s");
        }
        try {
            return client.receiveFrame();
        } catch (java.io.EOFException | java.net.SocketException e) {
            return null;
        }
    }

    private static void assertHealthyProduceIsAppended(String where) throws IOException {
        ProduceRequest request = (ProduceRequest) produce((short) 12, CompressionType.NONE, 1);
        int correlationId = healthyCorrelation++;
        healthy.send(request, correlationId);
        ProduceResponse response = (ProduceResponse) healthy.receive(request, correlationId);
        var partition = response.data()
                .responses()
                .iterator()
                .next()
                .partitionResponses()
                .get(0);
        assertThat(Errors.forCode(partition.errorCode()))
                .as(where + ": healthy produce error")
                .isEqualTo(Errors.NONE);
        assertThat(partition.baseOffset())
                .as(where + ": healthy produce base offset")
                .isGreaterThanOrEqualTo(healthyOffset);
        healthyOffset = partition.baseOffset() + 3;
    }
}
