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
