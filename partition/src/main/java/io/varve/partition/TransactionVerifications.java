package io.varve.partition;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

/**
 * The transactional appends a leader is checking with the coordinator (KIP-890), one producer at
 * a time: while a producer's first batch of a transaction waits for the coordinator, that
 * producer's later appends queue behind it, so they reach the log in the order they arrived.
 *
 * <p>Each check holds a guard. A marker of the producer written meanwhile (the transaction was
 * aborted by a timeout, say) invalidates it, so a late answer cannot start a transaction that the
 * coordinator already ended (Kafka's {@code VerificationGuard}). The exception is transaction
 * version 2, where the next transaction may be checked before the previous one's marker (at the
 * same bumped epoch) arrives.
 *
 * <p>Not thread-safe: confined to the {@link PartitionActor} leading the partition.
 *
 * @param <A> the queued appends
 */
final class TransactionVerifications<A> {
    private final Map<Long, Pending<A>> pending = new HashMap<>();
    private long nextGuard;

    private static final class Pending<A> {
        final long guard;
        final short epoch;
        final boolean supportsEpochBump;
        final Queue<A> queued = new ArrayDeque<>();
        boolean valid = true;

        Pending(long guard, short epoch, boolean supportsEpochBump) {
            this.guard = guard;
            this.epoch = epoch;
            this.supportsEpochBump = supportsEpochBump;
        }
    }

    /** What ending a check leaves: whether its guard still holds, and the appends queued behind it. */
    record Finished<A>(boolean guardValid, List<A> queued) {}

    boolean isVerifying(long producerId) {
        return pending.containsKey(producerId);
    }

    /** Starts a check for the producer's append at {@code epoch}; returns its guard. */
    long start(long producerId, short epoch, boolean supportsEpochBump) {
        if (pending.containsKey(producerId)) {
            throw new IllegalStateException("producer " + producerId + " is already being verified");
        }
        long guard = nextGuard++;
        pending.put(producerId, new Pending<>(guard, epoch, supportsEpochBump));
        return guard;
    }

    /** Queues an append of a producer being verified, to be handled when the check ends. */
    void enqueue(long producerId, A append) {
        Pending<A> check = pending.get(producerId);
        if (check == null) {
            throw new IllegalStateException("producer " + producerId + " is not being verified");
        }
        check.queued.add(append);
    }

    /** A marker of the producer at {@code markerEpoch} was written: its check's guard no longer holds. */
    void onMarker(long producerId, short markerEpoch) {
        Pending<A> check = pending.get(producerId);
        if (check != null && !(check.supportsEpochBump && markerEpoch == check.epoch)) {
            check.valid = false;
        }
    }

    /**
     * Ends the check that {@code guard} belongs to; empty when there is none (it was drained when an
     * earlier leadership ended).
     */
    java.util.Optional<Finished<A>> finish(long producerId, long guard) {
        Pending<A> check = pending.get(producerId);
        if (check == null || check.guard != guard) {
            return java.util.Optional.empty();
        }
        pending.remove(producerId);
        return java.util.Optional.of(new Finished<>(check.valid, List.copyOf(check.queued)));
    }

    /** Ends every check (the replica stops leading); returns all queued appends. */
    List<A> drain() {
        List<A> all = new java.util.ArrayList<>();
        pending.values().forEach(check -> all.addAll(check.queued));
        pending.clear();
        return all;
    }
}
