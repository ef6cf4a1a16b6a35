package io.varve.transport.server;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Node-wide transport counters, updated by every connection from its network thread; thread-safe
 * (atomic counters), read by tests and, later, by the metrics exporter. {@code bytesSentByPath}
 * counts response bytes sent from segment files with {@code sendfile}, {@code bytesSentByBuffer}
 * those written from the heap.
 */
public final class TransportMetrics {
    private final AtomicLong bytesSentByPath = new AtomicLong();
    private final AtomicLong bytesSentByBuffer = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong connectionsAccepted = new AtomicLong();
    private final AtomicLong connectionsClosedOnBadInput = new AtomicLong();
    private final AtomicLong connectionsClosedOnFailure = new AtomicLong();
    private final AtomicLong networkThreadsReplaced = new AtomicLong();
    private volatile RequestMemoryPool requestMemory;

    public long bytesSentByPath() {
        return bytesSentByPath.get();
    }

    public long bytesSentByBuffer() {
        return bytesSentByBuffer.get();
    }

    public long requests() {
        return requests.get();
    }

    public long connectionsAccepted() {
        return connectionsAccepted.get();
    }

    /** Connections closed for an oversized, negative or undecodable frame. */
    public long connectionsClosedOnBadInput() {
        return connectionsClosedOnBadInput.get();
    }

    /** Connections closed because serving them threw (a bug, or an error such as OutOfMemoryError). */
    public long connectionsClosedOnFailure() {
        return connectionsClosedOnFailure.get();
    }

    /** Network threads whose loop failed and was replaced. */
    public long networkThreadsReplaced() {
        return networkThreadsReplaced.get();
    }

    /** Bytes of the request memory budget held now: frames being read and requests not yet answered. */
    public long requestMemoryBytes() {
        RequestMemoryPool pool = requestMemory;
        return pool == null ? 0 : pool.used();
    }

    void watch(RequestMemoryPool pool) {
        this.requestMemory = pool;
    }

    void onClosedOnFailure() {
        connectionsClosedOnFailure.incrementAndGet();
    }

    void onNetworkThreadReplaced() {
        networkThreadsReplaced.incrementAndGet();
    }

    void onWrite(long byBuffer, long byPath) {
        bytesSentByBuffer.addAndGet(byBuffer);
        bytesSentByPath.addAndGet(byPath);
    }

    void onRequest() {
        requests.incrementAndGet();
    }

    void onConnectionAccepted() {
        connectionsAccepted.incrementAndGet();
    }

    void onClosedOnBadInput() {
        connectionsClosedOnBadInput.incrementAndGet();
    }
}
