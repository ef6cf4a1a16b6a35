package io.varve.metadata;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Settings of the controller singleton and of each node's metadata listener, from {@code
 * varve.controller} (documented in this module's {@code reference.conf}).
 *
 * @param clusterId the id clients see in Metadata and DescribeCluster (Kafka uses a 22-character
 *     base64 uuid)
 * @param defaultPartitions partitions of a topic created with {@code numPartitions = -1}
 * @param defaultReplicationFactor replicas of a topic created with {@code replicationFactor = -1}
 * @param producerIdBlockSize producer ids handed to a broker per AllocateProducerIds (Kafka: 1000)
 * @param snapshotEvery events between two snapshots of the controller state
 * @param registrationRetryInterval how long a node's listener waits for an update before
 *     registering with the controller again
 */
public record ControllerSettings(
        String clusterId,
        int defaultPartitions,
        short defaultReplicationFactor,
        int producerIdBlockSize,
        int snapshotEvery,
        Duration registrationRetryInterval) {

    public ControllerSettings {
        requirePositive("default-partitions", defaultPartitions);
        requirePositive("default-replication-factor", defaultReplicationFactor);
        requirePositive("producer-id-block-size", producerIdBlockSize);
        requirePositive("snapshot-every", snapshotEvery);
        if (clusterId.isEmpty()) {
            throw new IllegalArgumentException("varve.controller.cluster-id must not be empty");
        }
    }

    public static ControllerSettings fromConfig(Config config) {
        Config c = config.getConfig("varve.controller");
        int replicationFactor = c.getInt("default-replication-factor");
        if (replicationFactor > Short.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "varve.controller.default-replication-factor " + replicationFactor + " > " + Short.MAX_VALUE);
        }
        return new ControllerSettings(
                c.getString("cluster-id"),
                c.getInt("default-partitions"),
                (short) replicationFactor,
                c.getInt("producer-id-block-size"),
                c.getInt("snapshot-every"),
                c.getDuration("registration-retry-interval"));
    }

    private static void requirePositive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("varve.controller." + key + " must be positive, got " + value);
        }
    }
}
