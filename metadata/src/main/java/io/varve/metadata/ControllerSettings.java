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
 * @param leaderBalance automatic preferred-leader rebalancing ({@code auto.leader.rebalance.enable})
 */
public record ControllerSettings(
        String clusterId,
        int defaultPartitions,
        short defaultReplicationFactor,
        int producerIdBlockSize,
        int snapshotEvery,
        Duration registrationRetryInterval,
        LeaderBalanceSettings leaderBalance) {

    /**
     * Kafka's {@code auto.leader.rebalance.enable}, {@code leader.imbalance.per.broker.percentage} and
     * {@code leader.imbalance.check.interval.seconds}.
     */
    public record LeaderBalanceSettings(boolean enabled, int imbalancePercentage, Duration checkInterval) {
        public static final LeaderBalanceSettings OFF = new LeaderBalanceSettings(false, 10, Duration.ofMinutes(5));
        /** reference.conf's values (Kafka's defaults). */
        public static final LeaderBalanceSettings DEFAULTS = new LeaderBalanceSettings(true, 10, Duration.ofMinutes(5));

        public LeaderBalanceSettings {
            if (imbalancePercentage < 0 || imbalancePercentage > 100) {
                throw new IllegalArgumentException(
                        "varve.controller.auto-leader-rebalance.imbalance-per-broker-percentage must be 0-100, got "
                                + imbalancePercentage);
            }
            if (checkInterval.isNegative() || checkInterval.isZero()) {
                throw new IllegalArgumentException(
                        "varve.controller.auto-leader-rebalance.check-interval must be positive, got " + checkInterval);
            }
        }
    }

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
                c.getDuration("registration-retry-interval"),
                new LeaderBalanceSettings(
                        c.getBoolean("auto-leader-rebalance.enable"),
                        c.getInt("auto-leader-rebalance.imbalance-per-broker-percentage"),
                        c.getDuration("auto-leader-rebalance.check-interval")));
    }

    private static void requirePositive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("varve.controller." + key + " must be positive, got " + value);
        }
    }
}
