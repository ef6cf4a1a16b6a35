package io.varve.partition;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Long polls waiting for data (Kafka's fetch purgatory, minus the timeout, which the fetch handler
 * applies): each waits until the readable end of the log passes its fetch offset.
 *
 * <p>Not thread-safe: confined to the {@link PartitionActor} that owns the partition.
 *
 * @param <T> whom to notify
 */
final class FetchWaiters<T> {
    private record Waiter<T>(long fetchOffset, T waiter) {}

    private final List<Waiter<T>> waiters = new ArrayList<>();

    void add(long fetchOffset, T waiter) {
        waiters.add(new Waiter<>(fetchOffset, waiter));
    }

    /** Removes and returns the waiters that can now read: fetch offset below {@code readableEnd}. */
    List<T> releaseBelow(long readableEnd) {
        List<T> released = new ArrayList<>();
        Iterator<Waiter<T>> it = waiters.iterator();
        while (it.hasNext()) {
            Waiter<T> next = it.next();
            if (next.fetchOffset() < readableEnd) {
                released.add(next.waiter());
                it.remove();
            }
        }
        return released;
    }

    /** Removes and returns every waiter. */
    List<T> drain() {
        List<T> all = new ArrayList<>(waiters.size());
        waiters.forEach(w -> all.add(w.waiter()));
        waiters.clear();
        return all;
    }

    int size() {
        return waiters.size();
    }
}
