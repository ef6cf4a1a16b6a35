package io.varve.actors;

import com.typesafe.config.Config;
import io.varve.group.GroupCoordinators;
import io.varve.metadata.MetadataCache;
import io.varve.metadata.MetadataImage;
import io.varve.partition.PartitionDirectory;
import io.varve.transport.api.txn.GroupTxnMarkers;
import io.varve.txn.TransactionCoordinators;
import io.varve.txn.TransactionRegistry;
import io.varve.txn.TxnSettings;
import io.varve.txn.coordinator.CoordinatorServices;
import io.varve.txn.markers.ClusterMarkerWriter;
import io.varve.txn.markers.LocalMarkerWriter;
import io.varve.txn.markers.MarkerEndpoint;
import io.varve.txn.pid.ProducerIdManager;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * Starts a node's transaction coordinators: its {@link TransactionRegistry} (which wakes the
 * transactional ids of the journal placed on this node, and again whenever the live brokers
 * change), its {@link MarkerEndpoint} (markers from coordinators on other nodes to partitions led
 * here), then the "txn" entity type on sharding with this node's producer-id manager and marker
 * writers (partition leaders anywhere, and the group coordinators). Called once by the {@link
 * NodeGuardian}.
 */
final class Transactions {
    private Transactions() {}

    static TransactionCoordinators start(
            ActorContext<?> context,
            Config config,
            int nodeId,
            ActorRef<ProducerIdManager.Command> producerIds,
            PartitionDirectory partitions,
            MetadataCache metadata,
            GroupCoordinators groups) {
        ActorSystem<?> system = context.getSystem();
        TxnSettings settings = TxnSettings.fromConfig(config);
        ActorRef<TransactionRegistry.Command> registry = context.spawn(
                TransactionRegistry.create(
                        id -> TransactionCoordinators.entityRef(system, id),
                        () -> TransactionCoordinators.journalIds(system, settings),
                        settings.deadlineRetryInterval(),
                        System::currentTimeMillis),
                "transaction-registry");
        LocalMarkerWriter local =
                new LocalMarkerWriter(partitions, metadata, system.scheduler(), settings.requestTimeout());
        ClusterMarkerWriter markers =
                new ClusterMarkerWriter(nodeId, metadata, local, system.scheduler(), settings.requestTimeout());
        context.spawn(MarkerEndpoint.create(local, markers), "txn-markers");
        CoordinatorServices services = new CoordinatorServices(
                settings,
                producerIds,
                markers,
                new GroupTxnMarkers(groups, system.scheduler(), settings.requestTimeout()),
                registry,
                System::currentTimeMillis);
        TransactionCoordinators coordinators = TransactionCoordinators.sharded(system, services, metadata);
        followPlacement(nodeId, metadata, coordinators, registry);
        return coordinators;
    }

    /**
     * Tells the registry which ids this node coordinates whenever the set of live brokers changes
     * (a node died, left, or joined): the shards of transactional ids move with it.
     */
    private static void followPlacement(
            int nodeId,
            MetadataCache metadata,
            TransactionCoordinators coordinators,
            ActorRef<TransactionRegistry.Command> registry) {
        AtomicReference<Set<Integer>> live = new AtomicReference<>();
        Consumer<MetadataImage> onImage = image -> {
            Set<Integer> brokers = Set.copyOf(image.brokers().keySet());
            if (!brokers.equals(live.getAndSet(brokers))) {
                registry.tell(new TransactionRegistry.PlacementChanged(id -> {
                    OptionalInt node = coordinators.coordinatorNodeOf(id);
                    return node.isEmpty() || node.getAsInt() == nodeId;
                }));
            }
        };
        metadata.subscribe(onImage);
        onImage.accept(metadata.image());
    }
}
