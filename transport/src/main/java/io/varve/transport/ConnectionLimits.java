package io.varve.transport;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * What bounds the memory client connections hold, from {@code varve.transport} (see {@code
 * docs/operations.md}): per connection, the requests read but not yet answered and the answer bytes
 * not yet taken by the socket (over either, the connection is not read, decided before each
 * request); for the node, the bytes held by requests being read or not yet answered.
 *
 * @param maxInFlightRequests requests of one connection read and not yet written back
 * @param maxQueuedResponseBytes answer bytes of one connection not yet taken by its socket
 * @param queuedMaxRequestBytes the node's request memory budget (Kafka {@code queued.max.request.bytes})
 * @param connectionsMaxIdle a connection with no traffic this long is closed (Kafka {@code
 *     connections.max.idle.ms})
 * @param socketSendBufferBytes {@code SO_SNDBUF} of client sockets, -1 for the OS default (Kafka
 *     {@code socket.send.buffer.bytes}, 102400 as here by default): how many answer bytes the kernel
 *     holds for a client that does not read
 * @param socketReceiveBufferBytes {@code SO_RCVBUF} of client sockets, -1 for the OS default (Kafka
 *     {@code socket.receive.buffer.bytes})
 */
public record ConnectionLimits(
        int maxInFlightRequests,
        long maxQueuedResponseBytes,
        long queuedMaxRequestBytes,
        Duration connectionsMaxIdle,
        int socketSendBufferBytes,
        int socketReceiveBufferBytes) {

    /** {@code max-in-flight-requests-per-connection} by default: what a Java producer pipelines. */
    public static final int DEFAULT_MAX_IN_FLIGHT_REQUESTS = 5;

    /** {@code socket-send-buffer-bytes} by default: Kafka's {@code socket.send.buffer.bytes}. */
    public static final int DEFAULT_SOCKET_SEND_BUFFER_BYTES = 102_400;

    /** The node's request budget when configured as {@code auto}: this share of the maximum heap. */
    public static final double AUTO_HEAP_SHARE = 0.25;

    public ConnectionLimits {
        if (maxInFlightRequests < 1) {
            throw new IllegalArgumentException(
                    "max-in-flight-requests-per-connection must be at least 1, not " + maxInFlightRequests);
        }
    }

    /** With the operating system's socket buffer sizes (tests). */
    public ConnectionLimits(
            int maxInFlightRequests,
            long maxQueuedResponseBytes,
            long queuedMaxRequestBytes,
            Duration connectionsMaxIdle) {
        this(maxInFlightRequests, maxQueuedResponseBytes, queuedMaxRequestBytes, connectionsMaxIdle, -1, -1);
    }

    /** The defaults of {@code reference.conf}, for tests that build settings by hand. */
    public static ConnectionLimits defaults(int socketRequestMaxBytes) {
        return new ConnectionLimits(
                DEFAULT_MAX_IN_FLIGHT_REQUESTS,
                1024 * 1024,
                autoBudget(socketRequestMaxBytes),
                Duration.ofMinutes(10),
                DEFAULT_SOCKET_SEND_BUFFER_BYTES,
                -1);
    }

    static ConnectionLimits fromConfig(Config transport, int socketRequestMaxBytes) {
        String budget = transport.getString("queued-max-request-bytes");
        return new ConnectionLimits(
                transport.getInt("max-in-flight-requests-per-connection"),
                transport.getBytes("max-queued-response-bytes-per-connection"),
                "auto".equals(budget)
                        ? autoBudget(socketRequestMaxBytes)
                        : transport.getBytes("queued-max-request-bytes"),
                transport.getDuration("connections-max-idle"),
                transport.getInt("socket-send-buffer-bytes"),
                transport.getInt("socket-receive-buffer-bytes"));
    }

    /** A quarter of the heap, and never less than one largest frame. */
    private static long autoBudget(int socketRequestMaxBytes) {
        return Math.max(socketRequestMaxBytes, (long) (Runtime.getRuntime().maxMemory() * AUTO_HEAP_SHARE));
    }
}
