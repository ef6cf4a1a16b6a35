package io.varve.transport.testing;

import io.varve.metadata.BrokerInfo;
import io.varve.metadata.Controller;
import io.varve.metadata.MetadataCache;
import io.varve.metadata.MetadataImage;
import io.varve.partition.replication.ReplicationQuota;
import io.varve.transport.ConnectionLimits;
import io.varve.transport.TransportSettings;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.BrokerServices;
import io.varve.transport.api.RequestContext;
import io.varve.transport.api.TopicConfigs;
import io.varve.txn.TransactionCoordinators;
import io.varve.txn.pid.ProducerIdManager;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;

/**
 * A node's {@link BrokerServices} for handler tests: node 1 at 127.0.0.1:9092 (plus node 2 at
 * 127.0.0.2:9093), a metadata cache the test updates, a {@link FakePartitionDirectory}, and probes
 * for the controller and the producer-id manager.
 */
public final class TestBroker {
    public static final BrokerInfo NODE_1 = new BrokerInfo(1, "127.0.0.1", 9092, null);
    public static final BrokerInfo NODE_2 = new BrokerInfo(2, "127.0.0.2", 9093, "rack-b");

    public final ActorTestKit testKit;
    public final MetadataCache metadata = new MetadataCache(Images.cluster(NODE_1, NODE_2));
    public final FakePartitionDirectory partitions = new FakePartitionDirectory();
    public final TestProbe<Controller.Command> controller;
    public final TestProbe<ProducerIdManager.Command> producerIds;
    public final BrokerServices services;

    public TestBroker(ActorTestKit testKit, boolean autoCreateTopics) {
        this(testKit, settings(0, autoCreateTopics, 1024 * 1024));
    }

    public TestBroker(ActorTestKit testKit, TransportSettings settings) {
        this(testKit, settings, null);
    }

    /** With the node's transaction coordinators ({@code transactions}; null: none). */
    public TestBroker(ActorTestKit testKit, TransportSettings settings, TransactionCoordinators transactions) {
        this.testKit = testKit;
        this.controller = testKit.createTestProbe();
        this.producerIds = testKit.createTestProbe();
        this.services = new BrokerServices(
                1,
                metadata,
                partitions,
                controller.ref(),
                producerIds.ref(),
                new TopicConfigs(Map.of()),
                testKit.scheduler(),
                settings,
                transactions,
                new ReplicationQuota());
    }

    public static TransportSettings settings(int port, boolean autoCreateTopics, int socketRequestMaxBytes) {
        return new TransportSettings(
                "127.0.0.1", port, socketRequestMaxBytes, Duration.ofSeconds(3), autoCreateTopics, 1, (short) 1, 2);
    }

    /** A listener on any free port with {@code limits} on its connections' memory. */
    public static TransportSettings settings(int socketRequestMaxBytes, ConnectionLimits limits) {
        return new TransportSettings(
                "127.0.0.1", 0, "", 0, socketRequestMaxBytes, Duration.ofSeconds(3), false, 1, (short) 1, 2, limits);
    }

    public MetadataImage image() {
        return metadata.image();
    }

    public void update(MetadataImage image) {
        metadata.update(image);
    }

    /** Calls {@code handler} with {@code request} after a round trip through the wire format. */
    public CompletableFuture<ApiResponse> call(ApiHandler handler, AbstractRequest request) {
        AbstractRequest parsed =
                AbstractRequest.parseRequest(request.apiKey(), request.version(), request.serialize()).request;
        RequestHeader header = new RequestHeader(request.apiKey(), request.version(), "test-client", 7);
        RequestContext context = new RequestContext(header, new InetSocketAddress("127.0.0.1", 50000), services);
        return handler.handle(context, parsed).toCompletableFuture();
    }

    /** The body of a completed answer. */
    @SuppressWarnings("unchecked")
    public static <T extends ApiMessage> T body(CompletableFuture<ApiResponse> answer) {
        try {
            return (T) answer.get(5, TimeUnit.SECONDS).body();
        } catch (Exception e) {
            throw new AssertionError("no answer within 5 s", e);
        }
    }
}
