package io.varve.transport;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The Kafka listener and request limits, from {@code varve.transport} in {@code reference.conf}.
 *
 * @param host listener address
 * @param port listener port (0 = any free port, for tests)
 * @param advertisedHost the host clients are told to connect to; empty for the bound host
 * @param advertisedPort the port clients are told to connect to; 0 for the bound port
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
        String advertisedHost,
        int advertisedPort,
        int socketRequestMaxBytes,
        Duration askTimeout,
        boolean autoCreateTopics,
        int defaultPartitions,
        short defaultReplicationFactor,
        int networkThreads,
        ConnectionLimits connectionLimits) {

    public TransportSettings {
        if (connectionLimits.queuedMaxRequestBytes() < socketRequestMaxBytes) {
            // as Kafka: a frame the budget cannot hold could never be read
            throw new IllegalArgumentException("varve.transport.queued-max-request-bytes "
                    + connectionLimits.queuedMaxRequestBytes() + " is below socket-request-max-bytes "
                    + socketRequestMaxBytes);
        }
    }

    /**
     * Settings without an advertised address (clients are told the bound one), with the default
     * connection limits (tests).
     */
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
                "",
                0,
                socketRequestMaxBytes,
                askTimeout,
                autoCreateTopics,
                defaultPartitions,
                defaultReplicationFactor,
                networkThreads,
                ConnectionLimits.defaults(socketRequestMaxBytes));
    }

    public static TransportSettings fromConfig(Config config) {
        Config c = config.getConfig("varve.transport");
        int socketRequestMaxBytes = c.getInt("socket-request-max-bytes");
        return new TransportSettings(
                c.getString("host"),
                c.getInt("port"),
                c.getString("advertised-host"),
                c.getInt("advertised-port"),
                socketRequestMaxBytes,
                c.getDuration("ask-timeout"),
                c.getBoolean("auto-create-topics"),
                c.getInt("num-partitions"),
                (short) c.getInt("default-replication-factor"),
                c.getInt("network-threads"),
                ConnectionLimits.fromConfig(c, socketRequestMaxBytes));
    }
}
