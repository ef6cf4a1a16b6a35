package io.varve.partition;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code acks=all} appends a leader has written but not yet acknowledged (Kafka's produce
 * purgatory): each waits until the high watermark reaches {@code requiredOffset} (its last offset
 * + 1), or until its timer fires. Ids are handed out in append order, so they double as timer keys.
 *
 * <p>Not thread-safe: confined to the {@link PartitionActor} leading the partition.
 *
 * @param <T> what the owner needs to answer the append later
 */
final class DelayedAppends<T> {

    /** A parked append: acknowledged once the high watermark is at least {@code requiredOffset}. */
    record Parked<T>(long id, long requiredOffset, T waiter) {}

    private final Map<Long, Parked<T>> parked = new LinkedHashMap<>();
    private long nextId;

    /** Parks {@code waiter} until the high watermark reaches {@code requiredOffset}; returns its id. */
    long park(long requiredOffset, T waiter) {
        long id = nextId++;
        parked.put(id, new Parked<>(id, requiredOffset, waiter));
        return id;
    }

    /** Removes and returns, in append order, every append the high watermark now covers. */
    List<Parked<T>> releaseUpTo(long highWatermark) {
        List<Parked<T>> released = new ArrayList<>();
        Iterator<Parked<T>> it = parked.values().iterator();
        while (it.hasNext()) {
            Parked<T> next = it.next();
            if (next.requiredOffset() <= highWatermark) {
                released.add(next);
                it.remove();
            }
        }
        return released;
    }

    /** Removes the append whose timer fired; empty if it was already released. */
    Optional<Parked<T>> remove(long id) {
        return Optional.ofNullable(parked.remove(id));
    }

    /** Removes and returns every parked append (leadership lost, partition stopped). */
    List<Parked<T>> drain() {
        List<Parked<T>> all = new ArrayList<>(parked.values());
        parked.clear();
        return all;
    }

    int size() {
        return parked.size();
    }
}
