package io.varve.actors;

import io.varve.group.GroupCoordinators;
import io.varve.group.GroupSettings;
import io.varve.metadata.BrokerInfo;
import io.varve.metadata.Controller;
import io.varve.metadata.ControllerSettings;
import io.varve.metadata.LocalOnly;
import io.varve.metadata.MetadataCache;
import io.varve.metadata.MetadataListener;
import io.varve.partition.PartitionSettings;
import io.varve.partition.cleaner.CleanerSettings;
import io.varve.partition.replication.ReplicaFetchers;
import io.varve.partition.replication.ReplicationContext;
import io.varve.partition.replication.ReplicationQuota;
import io.varve.partition.replication.ReplicationSettings;
import io.varve.storage.log.LogDirectory;
import io.varve.transport.TransportSettings;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.BrokerServices;
import io.varve.transport.api.TopicConfigs;
import io.varve.transport.api.group.GroupHandlers;
import io.varve.transport.api.txn.TxnHandlers;
import io.varve.txn.TransactionCoordinators;
import io.varve.txn.coordinator.CoordinatorTransactionVerifier;
import io.varve.txn.pid.ProducerIdManager;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The root of a node's supervision tree. Joins the cluster (itself, for a single node), starts the
 * controller singleton, the metadata listener feeding the node's {@link MetadataCache}, the
 * producer-id manager, the sharded transaction coordinators (with the node's transaction registry),
 * the {@link ReplicaManager} (on the storage dispatcher), the sharded group coordinators and the Kafka
 * listener, and registers the clean-shutdown tasks with CoordinatedShutdown.
 */
public final class NodeGuardian {
    private NodeGuardian() {}

    public sealed interface Command extends LocalOnly {}

    /** The Kafka listener is bound: the node registers with the controller under that address. */
    private record ListenerBound(InetSocketAddress address) implements Command {}

    /**
     * @param serving completes once the node is registered: the Kafka listener accepts connections from then on
     * @param refuse called with the reason when this node must not start (it would form a second
     *     cluster, or its node id is in use); the node then stops
     * @param incarnation completes once the node knows its cluster's incarnation (the fence against a
     *     second cluster on a shared journal, {@link IncarnationFence}); the node serves only then
     */
    static Behavior<Command> create(
            NodeSettings settings,
            LogDirectory logDirectory,
            MetadataCache metadata,
            CompletableFuture<NodeServices> nodeServices,
            CompletionStage<?> serving,
            CompletableFuture<InetSocketAddress> bound,
            Consumer<String> refuse,
            CompletableFuture<Void> incarnation) {
        return Behaviors.setup(context -> {
            var config = context.getSystem().settings().config();
            Optional<ClusterLease> lease = settings.journal().isShared()
                    ? Optional.of(new ClusterLease(
                            settings.journal(),
                            settings.dataDir(),
                            ControllerSettings.fromConfig(config).clusterId(),
                            settings.cluster().leaseExpireAfter()))
                    : Optional.empty();
            context.spawn(ClusterJoin.create(settings.cluster(), lease, refuse, incarnation), "cluster-join");
            if (lease.isPresent() && !settings.cluster().deadProcessCheck().isZero()) {
                context.spawn(
                        DeadProcessCheck.create(
                                settings.journal(),
                                settings.dataDir(),
                                settings.cluster().deadProcessCheck()),
                        "dead-process-check");
            }
            TransportSettings transport = TransportSettings.fromConfig(config);
            TopicConfigs topicConfigs = new TopicConfigs(settings.brokerLogDefaults());
            ActorRef<Controller.Command> controller = Controller.initSingleton(
                    context.getSystem(),
                    ControllerSettings.fromConfig(config),
                    new NodeTopicPolicy(topicConfigs),
                    settings.nodeId(),
                    incarnation);
            ActorRef<ProducerIdManager.Command> producerIds =
                    context.spawn(ProducerIdManager.create(controller, settings.nodeId()), "producer-ids");
            HostedPartitions hosted = new HostedPartitions();
            LeaderReadiness leaders = new LeaderReadiness(
                    settings.nodeId(), metadata, context.getSystem().scheduler());
            hosted.useLeaders(leaders);
            context.spawn(ReadinessEndpoint.create(hosted, leaders), "partition-readiness");
            ReplicationSettings replicationSettings = ReplicationSettings.fromConfig(config);
            ActorRef<ReplicaFetchers.Command> fetchers = context.spawn(
                    ReplicaFetchers.create(settings.nodeId(), metadata, replicationSettings), "replica-fetchers");
            ReplicationContext replication =
                    new ReplicationContext(controller, fetchers, metadata, replicationSettings);
            GroupSettings groupSettings = GroupSettings.fromConfig(config);
            GroupCoordinators groups = GroupCoordinators.sharded(context.getSystem(), groupSettings, metadata);
            TransactionCoordinators transactions =
                    Transactions.start(context, config, settings.nodeId(), producerIds, hosted, metadata, groups);
            CleanerSettings cleanerSettings = CleanerSettings.fromConfig(config);
            ActorRef<ReplicaManager.Command> replicaManager = context.spawn(
                    ReplicaManager.create(
                            logDirectory,
                            settings.nodeId(),
                            metadata,
                            hosted,
                            topicConfigs,
                            PartitionSettings.fromConfig(config),
                            new CoordinatorTransactionVerifier(
                                    transactions,
                                    context.getSystem().scheduler(),
                                    context.getSystem().executionContext()),
                            cleanerSettings,
                            settings.checkpointInterval(),
                            replication),
                    "replica-manager",
                    DispatcherSelector.fromConfig("varve.storage-dispatcher"));
            BrokerServices services = new BrokerServices(
                    settings.nodeId(),
                    metadata,
                    hosted,
                    controller,
                    producerIds,
                    topicConfigs,
                    context.getSystem().scheduler(),
                    transport,
                    transactions,
                    new ReplicationQuota());
            CompletableFuture<InetSocketAddress> listener = new CompletableFuture<>();
            nodeServices.complete(new NodeServices(services, groups));
            List<ApiHandler> coordinatorHandlers =
                    new ArrayList<>(GroupHandlers.list(groups, groupSettings.offsetMetadataMaxBytes()));
            coordinatorHandlers.addAll(TxnHandlers.list(groups, groupSettings.offsetMetadataMaxBytes()));
            KafkaListener.start(
                    context, services, settings.dataDir(), cleanerSettings, coordinatorHandlers, serving, listener);
            registerShutdown(context, replicaManager, settings);
            ControlledShutdown.register(context.getSystem(), settings, controller, metadata, serving);
            context.pipeToSelf(listener, (address, error) -> {
                if (error != null) {
                    bound.completeExceptionally(error);
                    throw new IllegalStateException("the Kafka listener failed to bind", error);
                }
                return new ListenerBound(address);
            });
            return Behaviors.receive(Command.class)
                    .onMessage(
                            ListenerBound.class,
                            b -> onListenerBound(context, b, settings, controller, metadata, bound, refuse))
                    .build();
        });
    }

    private static Behavior<Command> onListenerBound(
            ActorContext<Command> context,
            ListenerBound listenerBound,
            NodeSettings settings,
            ActorRef<Controller.Command> controller,
            MetadataCache metadata,
            CompletableFuture<InetSocketAddress> bound,
            Consumer<String> refuse) {
        InetSocketAddress address = listenerBound.address();
        TransportSettings transport =
                TransportSettings.fromConfig(context.getSystem().settings().config());
        BrokerInfo self = new BrokerInfo(
                settings.nodeId(),
                transport.advertisedHost().isEmpty() ? address.getHostString() : transport.advertisedHost(),
                transport.advertisedPort() == 0 ? address.getPort() : transport.advertisedPort(),
                settings.rack());
        String incarnation =
                Cluster.get(context.getSystem()).selfMember().uniqueAddress().toString();
        context.spawn(MetadataListener.create(self, incarnation, controller, metadata, refuse), "metadata-listener");
        bound.complete(address);
        return Behaviors.empty();
    }

    private static void registerShutdown(
            ActorContext<Command> context, ActorRef<ReplicaManager.Command> replicaManager, NodeSettings settings) {
        CoordinatedShutdown.get(context.getSystem())
                .addTask(
                        CoordinatedShutdown.PhaseServiceStop(),
                        "close-logs",
                        () -> AskPattern.ask(
                                replicaManager,
                                ReplicaManager.StopAll::new,
                                settings.shutdownTimeout(),
                                context.getSystem().scheduler()));
    }
}
