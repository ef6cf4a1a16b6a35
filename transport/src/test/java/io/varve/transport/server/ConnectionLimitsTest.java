package io.varve.transport.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.partition.PartitionActor;
import io.varve.storage.testing.Conditions;
import io.varve.transport.ConnectionLimits;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.CoreHandlers;
import io.varve.transport.api.HandlerRegistry;
import io.varve.transport.api.RequestContext;
import io.varve.transport.testing.ClassicSpawner;
import io.varve.transport.testing.Images;
import io.varve.transport.testing.TestBroker;
import io.varve.transport.testing.WireClient;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageSizeAccumulator;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.DescribeClusterRequest;
import org.apache.kafka.common.requests.DescribeClusterResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.ResponseHeader;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.Patterns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The listener's memory bounds and failure isolation, over real sockets: the in-flight and
 * queued-response limits decided per request, frame buffers that hold only what arrived, the node's
 * request budget (a connection holding none is always served; one connection at a time may pass it),
 * a handler's Error closing only its connection, and a failed event loop replaced.
 */
class ConnectionLimitsTest {
    private static final int MAX_FRAME = 100 * 1024;
    private static final int MAX_IN_FLIGHT = 4;
    private static final long MAX_QUEUED_RESPONSE_BYTES = 1000;
    private static final long BUDGET = 150 * 1024;
    private static final ActorTestKit testKit = ActorTestKit.create();
    private static final TestBroker broker = new TestBroker(
            testKit,
            TestBroker.settings(
                    MAX_FRAME,
                    new ConnectionLimits(MAX_IN_FLIGHT, MAX_QUEUED_RESPONSE_BYTES, BUDGET, Duration.ofMinutes(10))));
    private static final TestProbe<PartitionActor.Command> orders0 = testKit.createTestProbe();
    private static final TransportMetrics metrics = new TransportMetrics();
    private static ActorRef server;
    private static InetSocketAddress address;

    /**
     * DescribeCluster v0 here throws a StackOverflowError, as a handler bug would; v1 answers a body
     * whose encoding (on the network thread) throws one.
     */
    private static final class ThrowingHandler implements ApiHandler {
        @Override
        public ApiKeys apiKey() {
            return ApiKeys.DESCRIBE_CLUSTER;
        }

        @Override
        public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
            if (request.version() == 0) {
                throw new StackOverflowError("a handler bug");
            }
            return CompletableFuture.completedFuture(new ApiResponse(new DescribeClusterResponseData() {
                @Override
                public void addSize(MessageSizeAccumulator size, ObjectSerializationCache cache, short version) {
                    throw new StackOverflowError("an encoding bug");
                }
            }));
        }
    }

    @BeforeAll
    static void startServer() throws Exception {
        broker.update(Images.withTopic(broker.image(), "orders", Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ"), 1, 1, 0));
        broker.partitions.host(new TopicPartition("orders", 0), orders0.ref());
        List<ApiHandler> handlers = new ArrayList<>(CoreHandlers.list());
        handlers.add(new ThrowingHandler());
        server = ClassicSpawner.spawn(
                testKit, KafkaServer.props(broker.services, HandlerRegistry.of(handlers), metrics));
        Object bound = Patterns.ask(server, KafkaServer.GetBoundAddress.INSTANCE, Duration.ofSeconds(5))
                .toCompletableFuture()
                .get();
        address = ((KafkaServer.BoundAddress) bound).address();
    }

    @BeforeEach
    void noRequestMemoryIsHeld() throws InterruptedException {
        awaitTrue(() -> metrics.requestMemoryBytes() == 0);
    }

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    void theInFlightLimitIsDecidedPerRequestNotPerRead() throws Exception {
        try (WireClient client = new WireClient(address)) {
            ByteArrayOutputStream pipelined = new ByteArrayOutputStream();
            for (int i = 0; i < 10; i++) {
                pipelined.write(WireClient.frame(listOffsets(), i));
            }
            client.write(pipelined.toByteArray()); // one write, one read on the broker's side

            List<PartitionActor.ListOffsets> asks = new ArrayList<>();
            for (int i = 0; i < MAX_IN_FLIGHT; i++) {
                asks.add(orders0.expectMessageClass(PartitionActor.ListOffsets.class));
            }
            orders0.expectNoMessage(Duration.ofMillis(300));

            answer(asks.get(0), 100);
            ListOffsetsResponse first = (ListOffsetsResponse) client.receive(listOffsets(), 0);
            assertThat(first.data().topics().get(0).partitions().get(0).offset())
                    .isEqualTo(100);
            asks.add(orders0.expectMessageClass(PartitionActor.ListOffsets.class));
            orders0.expectNoMessage(Duration.ofMillis(200));
            for (int i = 1; i < 10; i++) {
                answer(asks.get(i), 100 + i);
                ListOffsetsResponse response = (ListOffsetsResponse) client.receive(listOffsets(), i);
                assertThat(response.data().topics().get(0).partitions().get(0).offset())
                        .isEqualTo(100 + i);
                if (i + MAX_IN_FLIGHT < 10) {
                    asks.add(orders0.expectMessageClass(PartitionActor.ListOffsets.class));
                }
            }
        }
    }

    @Test
    void aClientThatNeverReadsIsNoLongerReadOnceItsAnswersQueueUp() throws Exception {
        int requests = 80_000; // about 7 MB of answers: more than the kernel's socket buffers hold (4 MB)
        try (WireClient client = new WireClient(address, 4096)) {
            ByteArrayOutputStream pipelined = new ByteArrayOutputStream();
            for (int i = 0; i < requests; i++) {
                pipelined.write(WireClient.frame(apiVersions(), i));
            }
            byte[] all = pipelined.toByteArray();
            Thread writer = new Thread(() -> {
                try {
                    client.write(all);
                } catch (java.io.IOException e) {
                    // the test fails on the reads below
                }
            });
            long before = metrics.requests();
            writer.start();
            Conditions.awaitStable(Duration.ofSeconds(20), Duration.ofMillis(500), () -> metrics.requests() - before);
            long readWhileNotReading = metrics.requests() - before;
            assertThat(readWhileNotReading)
                    .as("requests read while the client read nothing")
                    .isLessThan(requests);

            for (int i = 0; i < requests; i++) {
                ByteBuffer frame = client.receiveFrame();
                assertThat(ResponseHeader.parse(frame, (short) 0).correlationId())
                        .isEqualTo(i);
            }
            writer.join(10_000);
            assertThat(metrics.requests() - before).isGreaterThanOrEqualTo(requests);
        }
    }

    @Test
    void stalledAnnouncementsOfLargeFramesHoldOnlyTheBytesThatArrived() throws Exception {
        List<WireClient> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                WireClient client = new WireClient(address);
                client.write(ByteBuffer.allocate(4 + 10).putInt(MAX_FRAME).array());
                stalled.add(client);
            }
            awaitTrue(() -> metrics.requestMemoryBytes() == 20 * 10);
            try (WireClient fresh = new WireClient(address)) {
                assertAnswersApiVersions(fresh, 7);
            }
        } finally {
            for (WireClient client : stalled) {
                client.close();
            }
        }
        awaitTrue(() -> metrics.requestMemoryBytes() == 0);
    }

    @Test
    void aSpentBudgetParksLargeFramesOneConnectionPassesItAndFreshClientsAreServed() throws Exception {
        WireClient passer = new WireClient(address);
        try (WireClient holder = new WireClient(address);
                WireClient waiter = new WireClient(address);
                WireClient fresh = new WireClient(address)) {
            holder.write(announcement(MAX_FRAME, 99 * 1024));
            awaitTrue(() -> metrics.requestMemoryBytes() >= 99 * 1024);
            byte[] passerFrame = announcement(MAX_FRAME, 70 * 1024);
            passer.write(java.util.Arrays.copyOfRange(passerFrame, 0, 4 + 60 * 1024));
            awaitTrue(() -> metrics.requestMemoryBytes() >= BUDGET); // spent, partly past the budget
            passer.write(java.util.Arrays.copyOfRange(passerFrame, 4 + 60 * 1024, passerFrame.length));
            awaitTrue(() -> metrics.requestMemoryBytes() >= 99 * 1024 + 70 * 1024); // it passed, then stalls
            waiter.write(announcement(MAX_FRAME, MAX_FRAME)); // a whole frame of an unknown key: closes once read

            assertThat(waiter.isSilentFor(500))
                    .as("the waiter's frame is not read while another passes")
                    .isTrue();
            assertAnswersApiVersions(fresh, 9);

            closeQuietly(passer);
            assertThat(waiter.isClosedByBroker())
                    .as("once the passer is gone, the waiter passes the budget, its frame is read and rejected")
                    .isTrue();
        } finally {
            closeQuietly(passer);
        }
        awaitTrue(() -> metrics.requestMemoryBytes() == 0);
    }

    private static void closeQuietly(WireClient client) throws java.io.IOException {
        client.close();
    }

    @Test
    void anErrorInAHandlerIsAnsweredAsUnknownServerError() throws Exception {
        try (WireClient client = new WireClient(address)) {
            DescribeClusterRequest request =
                    new DescribeClusterRequest.Builder(new DescribeClusterRequestData()).build((short) 0);
            client.send(request, 2);

            DescribeClusterResponse response = (DescribeClusterResponse) client.receive(request, 2);
            assertThat(response.data().errorCode()).isEqualTo(Errors.UNKNOWN_SERVER_ERROR.code());
            assertAnswersApiVersions(client, 3);
        }
    }

    @Test
    void anErrorOnTheNetworkThreadClosesOnlyItsConnection() throws Exception {
        long closedBefore = metrics.connectionsClosedOnFailure();
        try (WireClient victim = new WireClient(address);
                WireClient bystander = new WireClient(address)) {
            assertAnswersApiVersions(bystander, 1);
            victim.send(new DescribeClusterRequest.Builder(new DescribeClusterRequestData()).build((short) 1), 2);

            assertThat(victim.isClosedByBroker()).isTrue();
            assertAnswersApiVersions(bystander, 3);
            try (WireClient next = new WireClient(address)) {
                assertAnswersApiVersions(next, 4);
            }
        }
        assertThat(metrics.connectionsClosedOnFailure()).isEqualTo(closedBefore + 1);
    }

    @Test
    void aFailedEventLoopIsReplacedAndNewClientsAreServed() throws Exception {
        long replacedBefore = metrics.networkThreadsReplaced();
        try (WireClient onThreadZero = new WireClient(address);
                WireClient onThreadOne = new WireClient(address)) {
            assertAnswersApiVersions(onThreadZero, 1);
            assertAnswersApiVersions(onThreadOne, 2);

            server.tell(new KafkaServer.BreakNetworkThread(0), ActorRef.noSender());

            awaitTrue(() -> metrics.networkThreadsReplaced() == replacedBefore + 1);
            int answered = 0;
            for (WireClient client : List.of(onThreadZero, onThreadOne)) {
                answered += answersOrIsClosed(client) ? 1 : 0;
            }
            assertThat(answered).as("the other loop's connection is untouched").isEqualTo(1);
            for (int i = 0; i < 4; i++) { // the replacement accepts, and both loops serve
                try (WireClient next = new WireClient(address)) {
                    assertAnswersApiVersions(next, 10 + i);
                }
            }
        }
    }

    /** True if it answers ApiVersions, false if the broker closed it. */
    private static boolean answersOrIsClosed(WireClient client) throws Exception {
        try {
            assertAnswersApiVersions(client, 99);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static byte[] announcement(int size, int sent) {
        ByteBuffer bytes = ByteBuffer.allocate(4 + sent).putInt(size);
        bytes.putShort((short) 999).putShort((short) 0).putInt(1); // an unknown API key: closes once read
        return bytes.array();
    }

    private static void answer(PartitionActor.ListOffsets ask, long offset) {
        ask.replyTo()
                .tell(new PartitionActor.ListOffsetsResponse(
                        new TopicPartition("orders", 0), Errors.NONE, -1L, offset, 0));
    }

    private static void assertAnswersApiVersions(WireClient client, int correlationId) throws Exception {
        ApiVersionsRequest request = apiVersions();
        client.send(request, correlationId);
        ApiVersionsResponse response = (ApiVersionsResponse) client.receive(request, correlationId);
        assertThat(response.data().errorCode()).isEqualTo(Errors.NONE.code());
    }

    private static ApiVersionsRequest apiVersions() {
        return new ApiVersionsRequest(
                new ApiVersionsRequestData().setClientSoftwareName("wire-test").setClientSoftwareVersion("1.0"),
                (short) 3);
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

    private static void awaitTrue(Callable<Boolean> condition) throws InterruptedException {
        Conditions.require(Duration.ofSeconds(10), "connection limits condition", condition);
    }
}
