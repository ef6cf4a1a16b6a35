package io.varve.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The node's own settings, from {@code varve} in the configuration ({@code reference.conf} of this
 * module, overridden by {@code application.conf}, a {@code --config} file, {@code -Dvarve.…} and
 * {@code VARVE_…} environment variables).
 *
 * @param nodeId the broker id clients see ({@code node.id})
 * @param dataDir where partition logs, checkpoints and the embedded journal live
 * @param checkpointInterval how often recovery points and log start offsets are checkpointed
 *     ({@code log.flush.offset.checkpoint.interval.ms})
 * @param shutdownTimeout how long a clean shutdown may take to close every log
 * @param brokerLogDefaults topic-config defaults set for the whole broker, under Kafka's topic
 *     config names (from {@code varve.log.*})
 * @param rack the rack clients see ({@code broker.rack}); null for none
 * @param cluster how this node finds the other nodes ({@code varve.cluster})
 * @param journal where the journals live ({@code varve.journal})
 */
public record NodeSettings(
        int nodeId,
        Path dataDir,
        Duration checkpointInterval,
        Duration shutdownTimeout,
        Map<String, String> brokerLogDefaults,
        String rack,
        ClusterSettings cluster,
        JournalSettings journal) {

    public NodeSettings {
        if (nodeId < 0) {
            throw new IllegalArgumentException("varve.node-id must not be negative, got " + nodeId);
        }
    }

    /** {@code varve.log.<hocon-name>} → Kafka topic config name, and how to render the value. */
    private static final Map<String, String> LOG_KEYS = Map.ofEntries(
            Map.entry("retention", TopicConfig.RETENTION_MS_CONFIG),
            Map.entry("retention-bytes", TopicConfig.RETENTION_BYTES_CONFIG),
            Map.entry("segment-bytes", TopicConfig.SEGMENT_BYTES_CONFIG),
            Map.entry("segment-time", TopicConfig.SEGMENT_MS_CONFIG),
            Map.entry("segment-jitter", TopicConfig.SEGMENT_JITTER_MS_CONFIG),
            Map.entry("segment-index-bytes", TopicConfig.SEGMENT_INDEX_BYTES_CONFIG),
            Map.entry("index-interval-bytes", TopicConfig.INDEX_INTERVAL_BYTES_CONFIG),
            Map.entry("flush-messages", TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG),
            Map.entry("flush-interval", TopicConfig.FLUSH_MS_CONFIG),
            Map.entry("file-delete-delay", TopicConfig.FILE_DELETE_DELAY_MS_CONFIG),
            Map.entry("cleanup-policy", TopicConfig.CLEANUP_POLICY_CONFIG),
            Map.entry("max-message-bytes", TopicConfig.MAX_MESSAGE_BYTES_CONFIG),
            Map.entry("min-insync-replicas", TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG),
            Map.entry("message-timestamp-type", TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG),
            Map.entry("message-timestamp-before-max", TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG),
            Map.entry("message-timestamp-after-max", TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG),
            Map.entry("compression-type", TopicConfig.COMPRESSION_TYPE_CONFIG),
            Map.entry("unclean-leader-election", TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG),
            Map.entry("preallocate", TopicConfig.PREALLOCATE_CONFIG),
            Map.entry("delete-retention", TopicConfig.DELETE_RETENTION_MS_CONFIG),
            Map.entry("min-cleanable-dirty-ratio", TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG),
            Map.entry("min-compaction-lag", TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG),
            Map.entry("max-compaction-lag", TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG));

    public static NodeSettings fromConfig(Config config) {
        Config c = config.getConfig("varve");
        return new NodeSettings(
                c.getInt("node-id"),
                Path.of(c.getString("data-dir")).toAbsolutePath().normalize(),
                c.getDuration("node.checkpoint-interval"),
                c.getDuration("node.shutdown-timeout"),
                brokerLogDefaults(c.getConfig("log")),
                c.getString("rack").isEmpty() ? null : c.getString("rack"),
                ClusterSettings.fromConfig(config),
                JournalSettings.fromConfig(config));
    }

    /** Durations become milliseconds and sizes bytes, as Kafka's names expect. */
    private static Map<String, String> brokerLogDefaults(Config log) {
        Map<String, String> defaults = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigValue> entry : log.root().entrySet()) {
            String kafkaName = LOG_KEYS.get(entry.getKey());
            if (kafkaName == null) {
                throw new IllegalArgumentException(
                        "unknown key varve.log." + entry.getKey() + "; known: " + LOG_KEYS.keySet());
            }
            defaults.put(kafkaName, render(log, entry.getKey(), kafkaName));
        }
        return defaults;
    }

    private static String render(Config log, String key, String kafkaName) {
        if (kafkaName.endsWith(".ms")) {
            return Long.toString(log.getDuration(key).toMillis());
        }
        if (kafkaName.endsWith(".bytes")) {
            return Long.toString(log.getBytes(key));
        }
        return log.getString(key);
    }
}
