package io.varve.txn;

import io.varve.txn.internal.ShardedTransactionCoordinators;
import java.util.List;
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

    /** Every transactional id with a journal (expired ones included). */
    CompletionStage<List<String>> transactionalIds();

    /**
     * Starts the "txn" entity type on this node's sharding with {@code services} (whose registry is
     * {@code registry}), listing ids through the read journal of {@code settings}.
     */
    static TransactionCoordinators sharded(
            ActorSystem<?> system, io.varve.txn.coordinator.CoordinatorServices services) {
        return ShardedTransactionCoordinators.init(system, services);
    }
}
