package io.varve.transport.api.admin;

import io.varve.metadata.BrokerInfo;
import io.varve.metadata.Controller;
import io.varve.metadata.MetadataCache;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.TopicImage;
import io.varve.partition.PartitionActor;
import io.varve.partition.PartitionDirectory;
import io.varve.transport.TransportSettings;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.BrokerServices;
import io.varve.transport.api.RequestContext;
import io.varve.transport.api.TopicConfigs;
import io.varve.txn.pid.ProducerIdManager;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;

/**
 * Builds the services an admin handler sees: a real {@link MetadataCache} over a hand-built image,
 * the controller and partitions as test probes, and a partition directory the test controls.
 */
public final class AdminTestContext {
    public static final int NODE_ID = 1;
    public static final String CLUSTER_ID = "varve-test-cluster";

    public final ActorTestKit kit;
    public final TestProbe<Controller.Command> controller;
    public final TestDirectory partitions = new TestDirectory();
    public final MetadataCache metadata;
    private final Map<String, String> brokerDefaults;
    private final Duration askTimeout;

    public AdminTestContext(ActorTestKit kit, MetadataImage image) {
        this(kit, image, Map.of(), Duration.ofSeconds(5));
    }

    public AdminTestContext(
            ActorTestKit kit, MetadataImage image, Map<String, String> brokerDefaults, Duration askTimeout) {
        this.kit = kit;
        this.controller = kit.createTestProbe(Controller.Command.class);
        this.metadata = new MetadataCache(image);
        this.brokerDefaults = brokerDefaults;
        this.askTimeout = askTimeout;
    }

    public BrokerServices services() {
        TestProbe<ProducerIdManager.Command> producerIds = kit.createTestProbe(ProducerIdManager.Command.class);
        return new BrokerServices(
                NODE_ID,
                metadata,
                partitions,
                controller.ref(),
                producerIds.ref(),
                new TopicConfigs(brokerDefaults),
                kit.scheduler(),
                new TransportSettings("127.0.0.1", 9092, 104857600, askTimeout, true, 3, (short) 1, 1));
    }

    public RequestContext context(ApiKeys key, short version) {
        return new RequestContext(
                new RequestHeader(key, version, "test-client", 7),
                new InetSocketAddress("127.0.0.1", 50000),
                services());
    }

    /** The handler's answer body, waiting at most 5 s. */
    @SuppressWarnings("unchecked")
    public static <T extends ApiMessage> T body(CompletionStage<ApiResponse> answer) {
        try {
            return (T) answer.toCompletableFuture().get(5, TimeUnit.SECONDS).body();
        } catch (Exception e) {
            throw new AssertionError("handler did not answer", e);
        }
    }

    // ---- image building ----

    public static ImageBuilder image() {
        return new ImageBuilder();
    }

    /** A hand-built metadata image: node 1 (and others added) and topics led by given nodes. */
    public static final class ImageBuilder {
        private final Map<Integer, BrokerInfo> brokers = new LinkedHashMap<>();
        private final Map<String, TopicImage> topics = new LinkedHashMap<>();
        private final Map<Uuid, String> names = new HashMap<>();
        private final Map<String, Map<String, String>> brokerConfigs = new HashMap<>();
        private int controllerId = NODE_ID;
        private long offset = 10L;

        ImageBuilder() {
            brokers.put(NODE_ID, new BrokerInfo(NODE_ID, "127.0.0.1", 9092, null));
        }

        public ImageBuilder broker(int nodeId, String host, int port, String rack) {
            brokers.put(nodeId, new BrokerInfo(nodeId, host, port, rack));
            return this;
        }

        /** The image's metadata offset; a newer image needs a higher one to replace the cache's. */
        public ImageBuilder offset(long newOffset) {
            offset = newOffset;
            return this;
        }

        public ImageBuilder controllerId(int id) {
            controllerId = id;
            return this;
        }

        /** A cluster-level dynamic broker config (the broker resource ""). */
        public ImageBuilder brokerConfig(String name, String value) {
            return brokerConfig(MetadataImage.CLUSTER_LEVEL, name, value);
        }

        /** A dynamic broker config of {@code entity}: a node id, or "" for the cluster level. */
        public ImageBuilder brokerConfig(String entity, String name, String value) {
            brokerConfigs.computeIfAbsent(entity, e -> new HashMap<>()).put(name, value);
            return this;
        }

        /** A topic of {@code partitions} partitions, each led by {@code leader} with RF 1. */
        public ImageBuilder topic(String name, Uuid id, int partitions, int leader, Map<String, String> configs) {
            Map<Integer, PartitionRegistration> registrations = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                registrations.put(p, new PartitionRegistration(p, List.of(leader), List.of(leader), leader, 3, 5));
            }
            topics.put(name, new TopicImage(name, id, registrations, configs));
            names.put(id, name);
            return this;
        }

        public ImageBuilder topic(TopicImage topic) {
            topics.put(topic.name(), topic);
            names.put(topic.topicId(), topic.name());
            return this;
        }

        public MetadataImage build() {
            return new MetadataImage(offset, CLUSTER_ID, controllerId, brokers, topics, names, brokerConfigs);
        }
    }

    /** A partition directory whose hosted partitions and {@code awaitHosted} answer the test sets. */
    public static final class TestDirectory implements PartitionDirectory {
        public final Map<TopicPartition, org.apache.pekko.actor.typed.ActorRef<PartitionActor.Command>> hosted =
                new HashMap<>();
        public final java.util.concurrent.BlockingQueue<Collection<TopicPartition>> awaited =
                new java.util.concurrent.LinkedBlockingQueue<>();
        public CompletableFuture<Boolean> hostedAnswer = CompletableFuture.completedFuture(true);
        /** The timeout of each {@code awaitHosted}, in order of asking. */
        public final java.util.concurrent.BlockingQueue<Duration> awaitedTimeouts =
                new java.util.concurrent.LinkedBlockingQueue<>();

        /** The next partitions a handler waited for, within 5 s (handlers wait on another thread). */
        public Collection<TopicPartition> nextAwaited() {
            try {
                Collection<TopicPartition> next = awaited.poll(5, TimeUnit.SECONDS);
                if (next == null) {
                    throw new AssertionError("no awaitHosted within 5 s");
                }
                return next;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        @Override
        public Optional<org.apache.pekko.actor.typed.ActorRef<PartitionActor.Command>> lookup(TopicPartition tp) {
            return Optional.ofNullable(hosted.get(tp));
        }

        @Override
        public CompletionStage<Boolean> awaitHosted(Collection<TopicPartition> tps, Duration timeout) {
            awaitedTimeouts.add(timeout);
            awaited.add(List.copyOf(tps));
            return hostedAnswer;
        }
    }
}
