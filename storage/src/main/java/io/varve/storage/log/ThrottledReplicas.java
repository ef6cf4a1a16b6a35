package io.varve.storage.log;

import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * The topic configs that name the replicas whose replication is throttled (KIP-73): {@code
 * leader.replication.throttled.replicas} (replicas that, as leaders, limit what they send to
 * out-of-sync followers) and {@code follower.replication.throttled.replicas} (replicas that, as
 * out-of-sync followers, limit what they fetch). A value is {@code *} (every replica of the topic) or
 * a comma-separated list of {@code partition:broker} pairs; empty means none. The validator refuses
 * anything else as Kafka does. Stateless; safe from any thread.
 */
public final class ThrottledReplicas {
    public static final String LEADER_CONFIG = "leader.replication.throttled.replicas";
    public static final String FOLLOWER_CONFIG = "follower.replication.throttled.replicas";
    private static final String ALL = "*";

    /** Kafka's check of a throttled-replica list: {@code *}, or only {@code partition:broker} entries. */
    public static final ConfigDef.Validator VALIDATOR = (name, value) -> {
        @SuppressWarnings("unchecked")
        List<String> entries = value == null ? List.of() : (List<String>) value;
        boolean wildcard = String.join("", entries).trim().equals(ALL);
        boolean pairs = entries.stream().allMatch(entry -> entry.trim().matches("(\\d+:\\d+)?"));
        if (!wildcard && !pairs) {
            throw new ConfigException(
                    name,
                    value,
                    name + " must be '*' or a list of replicas as partitionId:brokerId,partitionId:brokerId,...");
        }
    };

    private ThrottledReplicas() {}

    /**
     * Whether the list {@code value} (a topic config's string value; null or blank: none) names the
     * replica of {@code partition} on {@code brokerId}.
     */
    public static boolean includes(String value, int partition, int brokerId) {
        if (value == null || value.isBlank()) {
            return false;
        }
        if (value.trim().equals(ALL)) {
            return true;
        }
        for (String entry : value.split(",")) {
            String[] pair = entry.trim().split(":");
            if (pair.length == 2 && number(pair[0]) == partition && number(pair[1]) == brokerId) {
                return true;
            }
        }
        return false;
    }

    private static long number(String digits) {
        try {
            return Long.parseLong(digits.trim());
        } catch (NumberFormatException e) {
            return -1L;
        }
    }
}
