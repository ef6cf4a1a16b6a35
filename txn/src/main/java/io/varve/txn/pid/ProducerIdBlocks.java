package io.varve.txn.pid;

import java.util.OptionalLong;

/**
 * The producer-id blocks a node holds: the current block ids are handed out from, in order, and at
 * most one prefetched block behind it. Ids only move forwards: a block that starts below the end of
 * the last accepted one is refused, so no id is ever handed out twice even if the controller
 * answered a retried request twice.
 *
 * <pre>
 *   current [1000 ........ next=1093 .. 1099]   prefetched [2000 .. 2099]
 *                          ^ 7 left: at most 10% -> ask for the next block
 * </pre>
 *
 * <p>Not thread-safe: confined to the {@link ProducerIdManager} actor.
 */
final class ProducerIdBlocks {
    /** Ask for the next block once this share of the current one is left (Kafka: 10%). */
    static final double PREFETCH_RATIO = 0.1;

    private long next;
    private long end;
    private int currentSize;
    private long prefetchedFirst = -1;
    private int prefetchedSize;
    private long acceptedEnd;

    /** The next id, or empty when every block is used up. */
    OptionalLong nextId() {
        if (next >= end && prefetchedFirst >= 0) {
            next = prefetchedFirst;
            end = prefetchedFirst + prefetchedSize;
            currentSize = prefetchedSize;
            prefetchedFirst = -1;
        }
        if (next >= end) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(next++);
    }

    /** Ids left in the current block (the prefetched one not counted). */
    long remaining() {
        return Math.max(0, end - next);
    }

    boolean hasPrefetched() {
        return prefetchedFirst >= 0;
    }

    /** Whether to ask the controller for a block now: none is waiting and 10% or less of the current is left. */
    boolean shouldFetch() {
        return !hasPrefetched() && remaining() <= (long) Math.floor(currentSize * PREFETCH_RATIO);
    }

    /**
     * Accepts a block from the controller. Returns a reason when it is refused: empty, overlapping
     * or below ids already accepted, or arriving while a block is already waiting.
     */
    String add(long firstProducerId, int size) {
        if (size <= 0 || firstProducerId < 0) {
            return "empty or negative block " + firstProducerId + "+" + size;
        }
        if (firstProducerId < acceptedEnd) {
            return "block " + firstProducerId + ".." + (firstProducerId + size - 1)
                    + " overlaps ids already accepted below " + acceptedEnd;
        }
        if (hasPrefetched()) {
            return "a block is already waiting at " + prefetchedFirst;
        }
        acceptedEnd = firstProducerId + size;
        if (next >= end) {
            next = firstProducerId;
            end = acceptedEnd;
            currentSize = size;
        } else {
            prefetchedFirst = firstProducerId;
            prefetchedSize = size;
        }
        return null;
    }
}
