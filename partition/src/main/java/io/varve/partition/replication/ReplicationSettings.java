package io.varve.partition.replication;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * How followers fetch and how leaders judge them, from {@code varve.replication} (documented in this
 * module's {@code reference.conf}; Kafka's broker config names in parentheses).
 *
 * @param fetchWaitMax how long the leader holds a follower's fetch when it has nothing new ({@code
 *     replica.fetch.wait.max.ms})
 * @param fetchMaxBytes bytes per partition a fetch asks for ({@code replica.fetch.max.bytes})
 * @param fetchResponseMaxBytes bytes per fetch response ({@code replica.fetch.response.max.bytes})
 * @param fetchBackoff the pause after a failed fetch ({@code replica.fetch.backoff.ms})
 * @param replicaLagTimeMax a follower not caught up for this long leaves the ISR ({@code
 *     replica.lag.time.max.ms})
 * @param socketTimeout how long a follower waits for the leader beyond {@code fetchWaitMax} ({@code
 *     replica.socket.timeout.ms})
 */
public record ReplicationSettings(
        Duration fetchWaitMax,
        int fetchMaxBytes,
        int fetchResponseMaxBytes,
        Duration fetchBackoff,
        Duration replicaLagTimeMax,
        Duration socketTimeout) {

    public static ReplicationSettings fromConfig(Config config) {
        Config c = config.getConfig("varve.replication");
        return new ReplicationSettings(
                c.getDuration("fetch-wait-max"),
                (int) c.getBytes("fetch-max-bytes").longValue(),
                (int) c.getBytes("fetch-response-max-bytes").longValue(),
                c.getDuration("fetch-backoff"),
                c.getDuration("replica-lag-time-max"),
                c.getDuration("socket-timeout"));
    }

    /** Kafka's defaults (tests). */
    public static ReplicationSettings defaults() {
        return new ReplicationSettings(
                Duration.ofMillis(500),
                1024 * 1024,
                10 * 1024 * 1024,
                Duration.ofSeconds(1),
                Duration.ofSeconds(30),
                Duration.ofSeconds(30));
    }
}
