package io.varve.actors;

import com.typesafe.config.Config;
import io.varve.metadata.BrokerRegistration;
import io.varve.metadata.MetadataCache;
import io.varve.metadata.MetadataImage;
import io.varve.storage.log.LogDirectory;
import io.varve.transport.TransportSettings;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Varve node: the actor system with its {@link NodeGuardian}, the Kafka listener's
 * address once bound, and a clean stop. Start-up does the blocking preparation on the calling
 * thread — the journal schema and opening the data directory — before any actor exists, so no
 * actor ever blocks on it.
 */
public final class VarveNode {
    private static final Logger log = LoggerFactory.getLogger(VarveNode.class);
    public static final String VERSION = versionOf();

    private final ActorSystem<NodeGuardian.Command> system;
    private final CompletableFuture<InetSocketAddress> ready;
    private final NodeSettings settings;
    private final CompletableFuture<NodeServices> services;

    private VarveNode(
            ActorSystem<NodeGuardian.Command> system,
            CompletableFuture<InetSocketAddress> ready,
            NodeSettings settings,
            CompletableFuture<NodeServices> services) {
        this.system = system;
        this.ready = ready;
        this.settings = settings;
        this.services = services;
    }

    /**
     * Starts a node from a fully resolved configuration; the Pekko settings derived from {@code
     * varve.cluster.*} and {@code varve.journal.*} ({@link PekkoConfig}) are laid over it.
     */
    public static VarveNode start(Config loaded) throws Exception {
        long startNanos = System.nanoTime();
        Config config = PekkoConfig.apply(loaded);
        NodeSettings settings = NodeSettings.fromConfig(config);
        if (settings.journal().inMemory()) {
            if (!settings.cluster().seedNodes().isEmpty()) {
                throw new IllegalArgumentException(
                        "varve.journal.in-memory = on is for a single node, but" + " varve.cluster.seed-nodes lists "
                                + settings.cluster().seedNodes());
            }
        } else {
            JournalSchema.ensure(settings.journal(), settings.dataDir());
        }
        LogDirectory logDirectory = LogDirectory.open(settings.dataDir());
        if (settings.journal().inMemory() && !logDirectory.existingPartitions().isEmpty()) {
            // the empty metadata would make every one of them a stray log, deleted at the first image
            throw new IllegalArgumentException("varve.journal.in-memory = on starts with no metadata, but "
                    + settings.dataDir() + " holds partition logs " + logDirectory.existingPartitions()
                    + ": use the journal they were written with");
        }
        MetadataCache metadata = new MetadataCache(MetadataImage.empty(""));
        CompletableFuture<InetSocketAddress> bound = new CompletableFuture<>();
        CompletableFuture<InetSocketAddress> refused = new CompletableFuture<>();
        CompletableFuture<NodeServices> services = new CompletableFuture<>();
        // the listener accepts connections once the node is registered (before, Metadata would list no broker)
        CompletableFuture<Void> serving = new CompletableFuture<>();
        // with a shared journal: this node's cluster incarnation is known (and not superseded)
        CompletableFuture<Void> incarnation = new CompletableFuture<>();
        ActorSystem<NodeGuardian.Command> system = ActorSystem.create(
                NodeGuardian.create(
                        settings,
                        logDirectory,
                        metadata,
                        services,
                        serving,
                        bound,
                        reason -> refused.completeExceptionally(new IllegalStateException(reason)),
                        incarnation),
                ClusterSettings.SYSTEM_NAME,
                config);
        LogDirFailureShutdown.watch(logDirectory, system, settings.nodeId());
        String member = Cluster.get(system).selfMember().uniqueAddress().toString();
        CompletableFuture<InetSocketAddress> ready = bound.thenCompose(
                        address -> registered(metadata, settings.nodeId(), member, address))
                .thenCombine(incarnation, (address, known) -> address)
                .applyToEither(refused, address -> address);
        ready.thenRun(() -> serving.complete(null));
        VarveNode node = new VarveNode(system, ready, settings, services);
        ready.whenComplete((address, error) -> {
            if (error != null) {
                log.error("Varve node {} failed to start", settings.nodeId(), error);
            } else {
                log.info(
                        "Varve {} node {} ready: Kafka listener {}:{}, data dir {} (started in {} ms)",
                        VERSION,
                        settings.nodeId(),
                        address.getHostString(),
                        address.getPort(),
                        settings.dataDir(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
            }
        });
        return node;
    }

    /** Completes once the controller's image lists this node, i.e. clients can be answered. */
    private static CompletableFuture<InetSocketAddress> registered(
            MetadataCache metadata, int nodeId, String incarnation, InetSocketAddress address) {
        CompletableFuture<InetSocketAddress> done = new CompletableFuture<>();
        metadata.subscribe(image -> {
            if (isRegistered(image, nodeId, incarnation)) {
                done.complete(address);
            }
        });
        if (isRegistered(metadata.image(), nodeId, incarnation)) {
            done.complete(address);
        }
        return done;
    }

    /** The image lists this incarnation as a live broker. */
    private static boolean isRegistered(MetadataImage image, int nodeId, String incarnation) {
        BrokerRegistration self = image.registrations().get(nodeId);
        return self != null && !self.fenced() && self.incarnation().equals(incarnation);
    }

    /** The Kafka listener's address once the node serves clients. */
    public CompletionStage<InetSocketAddress> ready() {
        return ready;
    }

    public InetSocketAddress awaitReady(Duration timeout) throws Exception {
        return ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public ActorSystem<NodeGuardian.Command> system() {
        return system;
    }

    public NodeSettings settings() {
        return settings;
    }

    /**
     * The node's partition actors, metadata, controller and group coordinators, for in-process
     * users (the connectors module); completes while the node starts, before {@link #ready()}.
     */
    public CompletionStage<NodeServices> services() {
        return services;
    }

    /**
     * Clean stop through CoordinatedShutdown: stop accepting, finish in-flight requests, close every
     * log, write the checkpoints and the clean-shutdown marker, leave the cluster.
     */
    public CompletionStage<Done> stop() {
        return CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason());
    }

    /** Whether the node stopped because the cluster downed it (the split-brain resolver, or by hand). */
    public boolean wasDowned() {
        return CoordinatedShutdown.get(system)
                .getShutdownReason()
                .map(reason -> reason instanceof CoordinatedShutdown.ClusterDowningReason$)
                .orElse(false);
    }

    /** Whether the node stopped because a newer founding on its journal superseded its cluster. */
    public boolean wasSuperseded() {
        return CoordinatedShutdown.get(system)
                .getShutdownReason()
                .map(reason -> reason == IncarnationFence.Superseded.REASON)
                .orElse(false);
    }

    /** Whether the node stopped because its data directory failed (a full disk, an I/O error). */
    public boolean stoppedByLogDirFailure() {
        return LogDirFailureShutdown.stoppedBy(system);
    }

    static TransportSettings transportSettings(Config config) {
        return TransportSettings.fromConfig(config);
    }

    private static String versionOf() {
        String version = VarveNode.class.getPackage().getImplementationVersion();
        return version == null ? "0.1.0-SNAPSHOT" : version;
    }
}
