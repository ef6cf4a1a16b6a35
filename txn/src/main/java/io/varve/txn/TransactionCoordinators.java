package io.varve.txn;

import io.varve.metadata.MetadataCache;
import io.varve.txn.coordinator.CoordinatorServices;
import io.varve.txn.internal.ShardedTransactionCoordinators;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;

/**
 * How request handlers, partition leaders and the registry reach transaction coordinators: the
 * entity of one transactional id, this node's {@link TransactionRegistry}, the settings. Thread-safe.
 */
public interface TransactionCoordinators {
    RecipientRef<TransactionCoordinator.Command> coordinator(String transactionalId);

    ActorRef<TransactionRegistry.Command> registry();

    TxnSettings settings();

    /**
     * The node that coordinates {@code transactionalId} (hosts its shard); empty when this node
     * answers for every id (a single node, or no live broker known yet).
     */
    default OptionalInt coordinatorNodeOf(String transactionalId) {
        return OptionalInt.empty();
    }

    /** Every transactional id with a journal (expired ones included). */
    CompletionStage<List<String>> transactionalIds();

    /**
     * Starts the "txn" entity type on this node's sharding with {@code services}, each shard on the
     * node {@code metadata}'s {@link io.varve.metadata.CoordinatorPlacement} names.
     */
    static TransactionCoordinators sharded(
            ActorSystem<?> system, CoordinatorServices services, MetadataCache metadata) {
        return ShardedTransactionCoordinators.init(system, services, metadata);
    }

    /** The sharded entity of an id, for a registry spawned before {@link #sharded} ran. */
    static RecipientRef<TransactionCoordinator.Command> entityRef(ActorSystem<?> system, String transactionalId) {
        return ShardedTransactionCoordinators.entityRef(system, transactionalId);
    }

    /** The ids with a journal, through the read journal named by {@code settings}. */
    static CompletionStage<List<String>> journalIds(ActorSystem<?> system, TxnSettings settings) {
        return ShardedTransactionCoordinators.transactionalIds(system, settings);
    }
}
