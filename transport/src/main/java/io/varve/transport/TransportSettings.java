package io.varve.transport;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The Kafka listener and request limits, from {@code varve.transport} in {@code reference.conf}.
 *
 * @param host listener address
 * @param port listener port (0 = any free port, for tests)
 * @param socketRequestMaxBytes largest request frame accepted ({@code socket.request.max.bytes})
 * @param askTimeout how long a handler waits for an actor's answer
 * @param autoCreateTopics {@code auto.create.topics.enable}
 * @param defaultPartitions {@code num.partitions} for auto-created topics
 * @param defaultReplicationFactor {@code default.replication.factor}
 * @param networkThreads event-loop threads serving client sockets ({@code num.network.threads})
 * @param connectionLimits what bounds the memory one connection, and all of them, may hold
 */
public record TransportSettings(
        String host,
        int port,
        int socketRequestMaxBytes,
        Duration askTimeout,
        boolean autoCreateTopics,
        int defaultPartitions,
        short defaultReplicationFactor,
        int networkThreads,
        ConnectionLimits connectionLimits) {

    /** With the default connection limits (tests). */
    public TransportSettings(
            String host,
            int port,
            int socketRequestMaxBytes,
            Duration askTimeout,
            boolean autoCreateTopics,
            int defaultPartitions,
            short defaultReplicationFactor,
            int networkThreads) {
        this(
                host,
                port,
                socketRequestMaxBytes,
                askTimeout,
                autoCreateTopics,
                defaultPartitions,
                defaultReplicationFactor,
                networkThreads,
                ConnectionLimits.defaults(socketRequestMaxBytes));
    }

    public TransportSettings {
        if (connectionLimits.queuedMaxRequestBytes() < socketRequestMaxBytes) {
            // as Kafka: a frame the budget cannot hold could never be read
            throw new IllegalArgumentException("varve.transport.queued-max-request-bytes "
                    + connectionLimits.queuedMaxRequestBytes() + " is below socket-request-max-bytes "
                    + socketRequestMaxBytes);
        }
    }

    public static TransportSettings fromConfig(Config config) {
        Config c = config.getConfig("varve.transport");
        int socketRequestMaxBytes = c.getInt("socket-request-max-bytes");
        return new TransportSettings(
                c.getString("host"),
                c.getInt("port"),
                socketRequestMaxBytes,
                c.getDuration("ask-timeout"),
                c.getBoolean("auto-create-topics"),
                c.getInt("num-partitions"),
                (short) c.getInt("default-replication-factor"),
                c.getInt("network-threads"),
                ConnectionLimits.fromConfig(c, socketRequestMaxBytes));
    }
}
