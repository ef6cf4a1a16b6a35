package io.varve.txn.internal;

import io.varve.metadata.Ask;
import io.varve.metadata.CoordinatorPlacement;
import io.varve.metadata.CoordinatorShardAllocation;
import io.varve.metadata.MetadataCache;
import io.varve.txn.TransactionCoordinator;
import io.varve.txn.TransactionCoordinators;
import io.varve.txn.TransactionRegistry;
import io.varve.txn.TxnSettings;
import io.varve.txn.coordinator.CoordinatorServices;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentPersistenceIdsQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * {@link TransactionCoordinators} on Cluster Sharding: entity refs by transactional id, the ids
 * found in the journal through the read journal's {@code currentPersistenceIds}, and the node
 * coordinating an id ({@link CoordinatorPlacement} of the id, whose shard {@link
 * CoordinatorShardAllocation} puts there, as for groups).
 */
public final class ShardedTransactionCoordinators implements TransactionCoordinators {
    private static final String PREFIX = TransactionCoordinator.ENTITY_TYPE.name() + "|";

    private final ActorSystem<?> system;
    private final ClusterSharding sharding;
    private final CoordinatorServices services;
    private final MetadataCache metadata;
    private final int numberOfShards;

    private ShardedTransactionCoordinators(
            ActorSystem<?> system, CoordinatorServices services, MetadataCache metadata) {
        this.system = system;
        this.sharding = ClusterSharding.get(system);
        this.services = services;
        this.metadata = metadata;
        this.numberOfShards = system.settings().config().getInt("pekko.cluster.sharding.number-of-shards");
    }

    public static ShardedTransactionCoordinators init(
            ActorSystem<?> system, CoordinatorServices services, MetadataCache metadata) {
        Address self = Cluster.get(system).selfMember().address();
        TransactionCoordinator.initSharding(system, services, new CoordinatorShardAllocation(metadata, self));
        return new ShardedTransactionCoordinators(system, services, metadata);
    }

    @Override
    public OptionalInt coordinatorNodeOf(String transactionalId) {
        // the entity id is the transactional id itself: Pekko hashes it to the shard
        return CoordinatorPlacement.nodeFor(transactionalId, numberOfShards, metadata.image());
    }

    /** The entity of an id, for a registry spawned before {@link #init} ran. */
    public static RecipientRef<TransactionCoordinator.Command> entityRef(
            ActorSystem<?> system, String transactionalId) {
        return ClusterSharding.get(system).entityRefFor(TransactionCoordinator.ENTITY_TYPE, transactionalId);
    }

    /** The ids with a journal, through the read journal named by {@code settings}. */
    public static CompletionStage<List<String>> transactionalIds(ActorSystem<?> system, TxnSettings settings) {
        CurrentPersistenceIdsQuery query = PersistenceQuery.get(Adapter.toClassic(system))
                .getReadJournalFor(CurrentPersistenceIdsQuery.class, settings.readJournalPluginId());
        return Ask.inline(query.currentPersistenceIds()
                .filter(id -> id.startsWith(PREFIX))
                .map(id -> id.substring(PREFIX.length()))
                .runWith(Sink.seq(), system));
    }

    @Override
    public RecipientRef<TransactionCoordinator.Command> coordinator(String transactionalId) {
        return sharding.entityRefFor(TransactionCoordinator.ENTITY_TYPE, transactionalId);
    }

    @Override
    public ActorRef<TransactionRegistry.Command> registry() {
        return services.registry();
    }

    @Override
    public TxnSettings settings() {
        return services.settings();
    }

    @Override
    public CompletionStage<List<String>> transactionalIds() {
        return transactionalIds(system, services.settings());
    }
}
