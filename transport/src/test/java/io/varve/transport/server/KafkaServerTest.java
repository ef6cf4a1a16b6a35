package io.varve.transport.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.partition.PartitionActor;
import io.varve.transport.api.CoreHandlers;
import io.varve.transport.api.HandlerRegistry;
import io.varve.transport.testing.ClassicSpawner;
import io.varve.transport.testing.Images;
import io.varve.transport.testing.TestBroker;
import io.varve.transport.testing.WireClient;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.ResponseHeader;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.PoisonPill;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.Patterns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KafkaServerTest {
    private static final int MAX_FRAME = 64 * 1024;
    private static final ActorTestKit testKit = ActorTestKit.create();
    private static final TestBroker broker = new TestBroker(testKit, TestBroker.settings(0, false, MAX_FRAME));
    private static final TestProbe<PartitionActor.Command> orders0 = testKit.createTestProbe();
    private static final TransportMetrics metrics = new TransportMetrics();
    private static InetSocketAddress address;

    @BeforeAll
    static void startServer() throws Exception {
        broker.update(Images.withTopic(broker.image(), "orders", Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ"), 1, 1, 0));
        broker.partitions.host(new TopicPartition("orders", 0), orders0.ref());
        HandlerRegistry registry = HandlerRegistry.of(CoreHandlers.list());
        ActorRef server = ClassicSpawner.spawn(testKit, KafkaServer.props(broker.services, registry, metrics));
        Object bound = Patterns.ask(server, KafkaServer.GetBoundAddress.INSTANCE, Duration.ofSeconds(5))
                .toCompletableFuture()
                .get();
        address = ((KafkaServer.BoundAddress) bound).address();
    }

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    void bindsAnyFreePortForPortZero() {
        assertThat(address.getPort()).isPositive();
    }

    @Test
    void acceptsConnectionsOnlyOnceServingCompletes() throws Exception {
        CompletableFuture<Void> serving = new CompletableFuture<>();
        ActorRef gated = ClassicSpawner.spawn(
                testKit,
                KafkaServer.props(
                        broker.services, HandlerRegistry.of(CoreHandlers.list()), new TransportMetrics(), serving));
        try {
            Object bound = Patterns.ask(gated, KafkaServer.GetBoundAddress.INSTANCE, Duration.ofSeconds(5))
                    .toCompletableFuture()
                    .get();
            InetSocketAddress gatedAddress = ((KafkaServer.BoundAddress) bound).address();
            // bound, so the kernel completes the connection; nobody reads the request yet
            try (WireClient client = new WireClient(gatedAddress)) {
                ApiVersionsRequest request = apiVersions(ApiKeys.API_VERSIONS.latestVersion());
                client.send(request, 21);
                assertThat(client.isSilentFor(300)).isTrue();

                serving.complete(null);

                ApiVersionsResponse response = (ApiVersionsResponse) client.receive(request, 21);
                assertThat(response.data().errorCode()).isEqualTo(Errors.NONE.code());
            }
        } finally {
            gated.tell(PoisonPill.getInstance(), ActorRef.noSender());
        }
    }

    @Test
    void answersApiVersionsDecodedByKafkaClients() throws Exception {
        try (WireClient client = new WireClient(address)) {
            ApiVersionsRequest request = apiVersions(ApiKeys.API_VERSIONS.latestVersion());
            client.send(request, 11);

            ApiVersionsResponse response = (ApiVersionsResponse) client.receive(request, 11);

            assertThat(response.data().errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(response.data().apiKeys().find(ApiKeys.PRODUCE.id).maxVersion())
                    .isEqualTo(ApiKeys.PRODUCE.latestVersion());
            assertThat(response.data().apiKeys()).hasSize(7);
        }
    }

    @Test
    void reassemblesRequestSplitAcrossWrites() throws Exception {
        try (WireClient client = new WireClient(address)) {
            ApiVersionsRequest request = apiVersions((short) 3);
            byte[] frame = WireClient.frame(request, 21);
            client.write(Arrays.copyOfRange(frame, 0, 2));
            assertThat(client.isSilentFor(100)).isTrue();
            client.write(Arrays.copyOfRange(frame, 2, 9));
            client.write(Arrays.copyOfRange(frame, 9, frame.length));

            ApiVersionsResponse response = (ApiVersionsResponse) client.receive(request, 21);
            assertThat(response.data().errorCode()).isEqualTo(Errors.NONE.code());
        }
    }

    @Test
    void answersPipelinedRequestsInRequestOrder() throws Exception {
        try (WireClient client = new WireClient(address)) {
            ListOffsetsRequest slow = listOffsets();
            ApiVersionsRequest fast = apiVersions((short) 3);
            byte[] first = WireClient.frame(slow, 1);
            byte[] second = WireClient.frame(fast, 2);
            client.write(ByteBuffer.allocate(first.length + second.length)
                    .put(first)
                    .put(second)
                    .array());

            PartitionActor.ListOffsets ask = orders0.expectMessageClass(PartitionActor.ListOffsets.class);
            assertThat(client.isSilentFor(300))
                    .as("ApiVersions must wait for ListOffsets")
                    .isTrue();
            ask.replyTo()
                    .tell(new PartitionActor.ListOffsetsResponse(
                            new TopicPartition("orders", 0), Errors.NONE, -1L, 42L, 0));

            ListOffsetsResponse offsets = (ListOffsetsResponse) client.receive(slow, 1);
            assertThat(offsets.data().topics().get(0).partitions().get(0).offset())
                    .isEqualTo(42L);
            ApiVersionsResponse versions = (ApiVersionsResponse) client.receive(fast, 2);
            assertThat(versions.data().errorCode()).isEqualTo(Errors.NONE.code());
        }
    }

    @Test
    void closesOnlyTheConnectionSendingAnOversizedFrame() throws Exception {
        try (WireClient bad = new WireClient(address);
                WireClient good = new WireClient(address)) {
            bad.write(ByteBuffer.allocate(4).putInt(MAX_FRAME + 1).array());

            assertThat(bad.isClosedByBroker()).isTrue();
            assertAnswersApiVersions(good, 31);
        }
    }

    @Test
    void closesConnectionOnNegativeSizeUnknownKeyGarbageAndUnsupportedVersion() throws Exception {
        byte[] unknownKey = ByteBuffer.allocate(4 + 10)
                .putInt(10)
                .putShort((short) 999)
                .putShort((short) 0)
                .putInt(1)
                .putShort((short) -1)
                .array();
        byte[] garbage = ByteBuffer.allocate(4 + 12)
                .putInt(12)
                .putShort(ApiKeys.METADATA.id)
                .putShort((short) 12)
                .putInt(5)
                .putInt(-77777)
                .array();
        byte[] oldProduce = ByteBuffer.allocate(4 + 10)
                .putInt(10)
                .putShort(ApiKeys.PRODUCE.id)
                .putShort((short) 2)
                .putInt(1)
                .putShort((short) -1)
                .array();
        byte[] negative = ByteBuffer.allocate(4).putInt(-5).array();
        try (WireClient good = new WireClient(address)) {
            for (byte[] input : List.of(unknownKey, garbage, oldProduce, negative)) {
                try (WireClient bad = new WireClient(address)) {
                    bad.write(input);
                    assertThat(bad.isClosedByBroker()).isTrue();
                }
            }
            assertAnswersApiVersions(good, 41);
        }
        assertThat(metrics.connectionsClosedOnBadInput()).isGreaterThanOrEqualTo(4);
    }

    @Test
    void answersTooNewApiVersionsWithUnsupportedVersionAsV0() throws Exception {
        short tooNew = (short) (ApiKeys.API_VERSIONS.latestVersion() + 1);
        ByteBuffer payload = ByteBuffer.allocate(2 + 2 + 4 + 2 + 4 + 1 + 3)
                .putShort(ApiKeys.API_VERSIONS.id)
                .putShort(tooNew)
                .putInt(51)
                .putShort((short) 4)
                .put("next".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .put((byte) 0)
                .put(new byte[] {1, 1, 0});
        try (WireClient client = new WireClient(address)) {
            client.write(ByteBuffer.allocate(4 + payload.capacity())
                    .putInt(payload.capacity())
                    .put(payload.array())
                    .array());

            ByteBuffer frame = client.receiveFrame();
            ResponseHeader header = ResponseHeader.parse(frame, (short) 0);
            ApiVersionsResponse response = ApiVersionsResponse.parse(new ByteBufferAccessor(frame), (short) 0);

            assertThat(header.correlationId()).isEqualTo(51);
            assertThat(response.data().errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
            assertThat(response.data().apiKeys().find(ApiKeys.API_VERSIONS.id).maxVersion())
                    .isEqualTo(ApiKeys.API_VERSIONS.latestVersion());
            assertAnswersApiVersions(client, 52);
        }
    }

    private static void assertAnswersApiVersions(WireClient client, int correlationId) throws Exception {
        ApiVersionsRequest request = apiVersions((short) 3);
        client.send(request, correlationId);
        ApiVersionsResponse response = (ApiVersionsResponse) client.receive(request, correlationId);
        assertThat(response.data().errorCode()).isEqualTo(Errors.NONE.code());
    }

    private static ApiVersionsRequest apiVersions(short version) {
        return new ApiVersionsRequest(
                new ApiVersionsRequestData().setClientSoftwareName("wire-test").setClientSoftwareVersion("1.0"),
                version);
    }

    private static ListOffsetsRequest listOffsets() {
        ListOffsetsTopic topic = new ListOffsetsTopic()
                .setName("orders")
                .setPartitions(List.of(new ListOffsetsPartition()
                        .setPartitionIndex(0)
                        .setTimestamp(-1L)
                        .setCurrentLeaderEpoch(-1)));
        return ListOffsetsRequest.Builder.forConsumer(true, IsolationLevel.READ_UNCOMMITTED)
                .setTargetTimes(List.of(topic))
                .build((short) 10);
    }
}
