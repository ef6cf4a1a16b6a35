package io.varve.transport.server;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The node-wide budget for bytes held by requests: frames being read and requests not yet answered
 * (Kafka's {@code queued.max.request.bytes} memory pool). A connection reserves a frame's buffer as
 * it grows with the bytes that actually arrived, and releases it when the request is answered or the
 * connection closes. When the budget is spent, connections that already hold memory stop reading
 * until some is released; a connection that holds none may still take one read's worth ({@link
 * #overdraw}), so a fresh client is always served however many others stall half-way through
 * large frames. One connection at a time may pass the spent budget to finish the frame it is
 * reading ({@link #tryPassBudget}), so active senders of large frames never wait for each other
 * forever. The total is so bounded by the budget, one largest frame, and one read buffer per
 * connection.
 *
 * <p>Thread-safe: every network thread reserves and releases. A thread whose connections wait for
 * memory registers with {@link #awaitRelease}; the next release wakes it.
 */
final class RequestMemoryPool {
    private final long capacity;
    private final AtomicLong used = new AtomicLong();
    private final AtomicInteger waiting = new AtomicInteger();
    private final List<Runnable> onRelease = new CopyOnWriteArrayList<>();
    /** The connection allowed past the spent budget until its current frame is read. */
    private final AtomicReference<Object> passing = new AtomicReference<>();

    RequestMemoryPool(long capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("the request memory budget must be positive, not " + capacity);
        }
        this.capacity = capacity;
    }

    long capacity() {
        return capacity;
    }

    long used() {
        return used.get();
    }

    boolean isExhausted() {
        return used.get() >= capacity;
    }

    /** Takes {@code bytes} if the budget has them. */
    boolean tryReserve(long bytes) {
        long current;
        do {
            current = used.get();
            if (current + bytes > capacity) {
                return false;
            }
        } while (!used.compareAndSet(current, current + bytes));
        return true;
    }

    /** Takes {@code bytes} even past the budget: bytes already read, or a connection's first read. */
    void overdraw(long bytes) {
        used.addAndGet(bytes);
    }

    void release(long bytes) {
        if (bytes <= 0) {
            return;
        }
        used.addAndGet(-bytes);
        notifyWaiters();
    }

    /**
     * Lets {@code owner} read past the spent budget until its frame is read, if no other connection
     * does; it is then the only one (until {@link #onFrameRead} or {@link #onClosed}).
     */
    boolean tryPassBudget(Object owner) {
        return passing.get() == owner || passing.compareAndSet(null, owner);
    }

    /** {@code owner} finished reading a frame: it no longer passes the budget. */
    void onFrameRead(Object owner) {
        if (passing.get() == owner && passing.compareAndSet(owner, null)) {
            notifyWaiters();
        }
    }

    /** {@code owner}'s connection closed. */
    void onClosed(Object owner) {
        onFrameRead(owner);
    }

    private void notifyWaiters() {
        if (waiting.get() > 0) {
            for (Runnable listener : onRelease) {
                listener.run();
            }
        }
    }

    /** Registers a listener run (on the releasing thread) after releases while anyone waits. */
    void addReleaseListener(Runnable listener) {
        onRelease.add(listener);
    }

    void removeReleaseListener(Runnable listener) {
        onRelease.remove(listener);
    }

    /** A connection starts waiting for memory; {@link #stopWaiting} when it resumes or closes. */
    void awaitRelease() {
        waiting.incrementAndGet();
    }

    void stopWaiting() {
        waiting.decrementAndGet();
    }
}
