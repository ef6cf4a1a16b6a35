package io.varve.txn.coordinator;

import io.varve.txn.TransactionCoordinator.AddPartitions;
import java.util.ArrayList;
import java.util.List;

/**
 * The partition leaders' adds (transaction version 2) that a {@link TransactionEntity} holds while
 * the previous transaction of the same producer epoch writes its markers. Kafka's coordinator
 * answers them {@code CONCURRENT_TRANSACTIONS} and the leader asks again after
 * {@code add.partitions.to.txn.retry.backoff.ms}; holding them instead lets the next transaction
 * start the moment the previous one completes. Each holding period has a number, so the timer that
 * ends one (at most {@code add-partitions-retry-timeout}) cannot release a later one.
 *
 * <p>Not thread-safe: confined to the entity.
 */
final class HeldAdds {
    private final List<AddPartitions> held = new ArrayList<>();
    private long period;

    boolean isEmpty() {
        return held.isEmpty();
    }

    /** Holds {@code add}; returns the holding period's number when it starts one, else -1. */
    long hold(AddPartitions add) {
        boolean starts = held.isEmpty();
        held.add(add);
        return starts ? ++period : -1;
    }

    /** Every held add, in arrival order, ending the period. */
    List<AddPartitions> release() {
        List<AddPartitions> all = List.copyOf(held);
        held.clear();
        return all;
    }

    /** Every held add if {@code expiredPeriod} is the current period, else none. */
    List<AddPartitions> releaseIfCurrent(long expiredPeriod) {
        return expiredPeriod == period ? release() : List.of();
    }
}
