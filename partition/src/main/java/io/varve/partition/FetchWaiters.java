package io.varve.partition;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Predicate;

/**
 * Long polls waiting for data (Kafka's fetch purgatory): each waits until the readable end of the
 * log passes its offset. A waiter leaves when data arrives ({@link #releaseBelow}), when the role
 * changes ({@link #drain}), or when its fetch no longer waits for it — completed by another
 * partition or by its max wait — which the owner checks with {@code abandoned} on every park and
 * on a sweep timer ({@link #sweep}). The sweep also expires waiters by age without a clock: the next
 * sweep runs no sooner than the longest max wait of the waiters left, so a waiter that one sweep
 * already saw has waited its max wait by the next and is dropped, whatever its fetch says.
 *
 * <p>Not thread-safe: confined to the {@link PartitionActor} that owns the partition.
 *
 * @param <T> whom to answer
 */
final class FetchWaiters<T> {
    private static final class Waiter<T> {
        final long fetchOffset;
        final int maxWaitMs;
        final T waiter;
        boolean seenBySweep;

        Waiter(long fetchOffset, int maxWaitMs, T waiter) {
            this.fetchOffset = fetchOffset;
            this.maxWaitMs = maxWaitMs;
            this.waiter = waiter;
        }
    }

    private final List<Waiter<T>> waiters = new ArrayList<>();

    /** Parks {@code waiter} until the readable end passes {@code fetchOffset}, for at most {@code maxWaitMs}. */
    void add(long fetchOffset, int maxWaitMs, T waiter) {
        waiters.add(new Waiter<>(fetchOffset, maxWaitMs, waiter));
    }

    /** Removes and returns the waiters that can now read: fetch offset below {@code readableEnd}. */
    List<T> releaseBelow(long readableEnd) {
        List<T> released = new ArrayList<>();
        Iterator<Waiter<T>> it = waiters.iterator();
        while (it.hasNext()) {
            Waiter<T> next = it.next();
            if (next.fetchOffset < readableEnd) {
                released.add(next.waiter);
                it.remove();
            }
        }
        return released;
    }

    /** Removes the waiters whose fetch no longer waits for them; returns how many. */
    int removeAbandoned(Predicate<T> abandoned) {
        int before = waiters.size();
        waiters.removeIf(w -> abandoned.test(w.waiter));
        return before - waiters.size();
    }

    /**
     * The sweep timer fired: removes the abandoned waiters and those a previous sweep saw (they have
     * waited their max wait), marks the rest, and returns the delay until the next sweep (the
     * longest max wait left), or empty when no waiter is left.
     */
    OptionalInt sweep(Predicate<T> abandoned) {
        waiters.removeIf(w -> w.seenBySweep || abandoned.test(w.waiter));
        int nextDelayMs = -1;
        for (Waiter<T> waiter : waiters) {
            waiter.seenBySweep = true;
            nextDelayMs = Math.max(nextDelayMs, waiter.maxWaitMs);
        }
        return nextDelayMs < 0 ? OptionalInt.empty() : OptionalInt.of(nextDelayMs);
    }

    /** Removes and returns every waiter. */
    List<T> drain() {
        List<T> all = new ArrayList<>(waiters.size());
        waiters.forEach(w -> all.add(w.waiter));
        waiters.clear();
        return all;
    }

    int size() {
        return waiters.size();
    }

    boolean isEmpty() {
        return waiters.isEmpty();
    }
}
