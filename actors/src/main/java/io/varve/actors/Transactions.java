package io.varve.actors;

import com.typesafe.config.Config;
import io.varve.group.GroupCoordinators;
import io.varve.metadata.MetadataCache;
import io.varve.partition.PartitionDirectory;
import io.varve.transport.api.txn.GroupTxnMarkers;
import io.varve.txn.TransactionCoordinators;
import io.varve.txn.TransactionRegistry;
import io.varve.txn.TxnSettings;
import io.varve.txn.coordinator.CoordinatorServices;
import io.varve.txn.markers.LocalMarkerWriter;
import io.varve.txn.pid.ProducerIdManager;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * Starts a node's transaction coordinators: its {@link TransactionRegistry} (which wakes every
 * transactional id of the journal), then the "txn" entity type on sharding with this node's
 * producer-id manager and marker writers (partition leaders here, and the group coordinators). Called once by the {@link NodeGuardian}.
 */
final class Transactions {
    private Transactions() {}

    static TransactionCoordinators start(
            ActorContext<?> context,
            Config config,
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
        CoordinatorServices services = new CoordinatorServices(
                settings,
                producerIds,
                new LocalMarkerWriter(partitions, metadata, system.scheduler(), settings.requestTimeout()),
                new GroupTxnMarkers(groups, system.scheduler(), settings.requestTimeout()),
                registry,
                System::currentTimeMillis);
        return TransactionCoordinators.sharded(system, services, metadata);
    }
}
