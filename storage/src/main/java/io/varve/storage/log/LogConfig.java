package io.varve.storage.log;

import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;
import static org.apache.kafka.common.config.ConfigDef.Range.between;
import static org.apache.kafka.common.config.ConfigDef.Type.BOOLEAN;
import static org.apache.kafka.common.config.ConfigDef.Type.INT;
import static org.apache.kafka.common.config.ConfigDef.Type.LIST;
import static org.apache.kafka.common.config.ConfigDef.Type.LONG;
import static org.apache.kafka.common.config.ConfigDef.Type.STRING;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.TimestampType;

/**
 * The per-topic log configuration, under Kafka's topic-config names ({@link TopicConfig}) with the
 * defaults and bounds Apache Kafka 4.x applies, so that a value Kafka rejects is rejected here with
 * the same message ("Invalid value 100 for configuration segment.bytes: Value must be at least
 * 1048576").
 *
 * <p>Built once from broker defaults plus topic overrides ({@link #fromMap}); immutable, safe to
 * share between threads. The keys that the storage engine itself acts on have typed accessors; the
 * others (replication, compression, compaction) are validated and carried for the layers above.
 */
public record LogConfig(Map<String, Object> values, Map<String, String> overrides) {

    /** Kafka's default {@code max.message.bytes}: 1 MiB plus the 12-byte log overhead. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024 + 12;

    private static final ConfigDef DEFINITION = new ConfigDef()
            .define(TopicConfig.SEGMENT_BYTES_CONFIG, INT, 1 << 30, atLeast(1024 * 1024), MEDIUM, "segment size")
            .define(TopicConfig.SEGMENT_MS_CONFIG, LONG, 7 * 24 * 3_600_000L, atLeast(1), MEDIUM, "segment age roll")
            .define(TopicConfig.SEGMENT_JITTER_MS_CONFIG, LONG, 0L, atLeast(0), MEDIUM, "roll jitter")
            .define(TopicConfig.SEGMENT_INDEX_BYTES_CONFIG, INT, 10 * 1024 * 1024, atLeast(4), MEDIUM, "index size")
            .define(TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG, LONG, Long.MAX_VALUE, atLeast(1), MEDIUM, "fsync")
            .define(TopicConfig.FLUSH_MS_CONFIG, LONG, Long.MAX_VALUE, atLeast(0), MEDIUM, "fsync interval")
            .define(TopicConfig.RETENTION_BYTES_CONFIG, LONG, -1L, MEDIUM, "size retention")
            .define(TopicConfig.RETENTION_MS_CONFIG, LONG, 7 * 24 * 3_600_000L, atLeast(-1), MEDIUM, "time retention")
            .define(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, INT, DEFAULT_MAX_MESSAGE_BYTES, atLeast(0), MEDIUM, "batch")
            .define(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, INT, 4096, atLeast(0), MEDIUM, "index interval")
            .define(TopicConfig.DELETE_RETENTION_MS_CONFIG, LONG, 86_400_000L, atLeast(0), MEDIUM, "tombstones")
            .define(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, LONG, 0L, atLeast(0), MEDIUM, "compaction lag")
            .define(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, LONG, Long.MAX_VALUE, atLeast(1), MEDIUM, "lag")
            .define(TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, LONG, 60_000L, atLeast(0), MEDIUM, "delete delay")
            .define(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, ConfigDef.Type.DOUBLE, 0.5, between(0, 1), MEDIUM, "")
            .define(
                    TopicConfig.CLEANUP_POLICY_CONFIG,
                    LIST,
                    TopicConfig.CLEANUP_POLICY_DELETE,
                    ConfigDef.ValidList.in(TopicConfig.CLEANUP_POLICY_COMPACT, TopicConfig.CLEANUP_POLICY_DELETE),
                    MEDIUM,
                    "cleanup policy")
            .define(TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, BOOLEAN, false, MEDIUM, "unclean election")
            .define(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, INT, 1, atLeast(1), MEDIUM, "min ISR")
            .define(
                    TopicConfig.COMPRESSION_TYPE_CONFIG,
                    STRING,
                    "producer",
                    ConfigDef.ValidString.in("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"),
                    MEDIUM,
                    "compression")
            .define(TopicConfig.PREALLOCATE_CONFIG, BOOLEAN, false, MEDIUM, "preallocate")
            .define(
                    TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG,
                    STRING,
                    "CreateTime",
                    ConfigDef.ValidString.in("CreateTime", "LogAppendTime"),
                    MEDIUM,
                    "timestamp type")
            .define(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, LONG, Long.MAX_VALUE, atLeast(0), MEDIUM, "")
            .define(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, LONG, 3_600_000L, atLeast(0), MEDIUM, "")
            .define(ThrottledReplicas.LEADER_CONFIG, LIST, "", ThrottledReplicas.VALIDATOR, MEDIUM, "throttled")
            .define(ThrottledReplicas.FOLLOWER_CONFIG, LIST, "", ThrottledReplicas.VALIDATOR, MEDIUM, "throttled");

    /** Topic-config names Varve knows, in Kafka's order; the broker's DescribeConfigs reports these. */
    public static List<String> names() {
        return List.copyOf(DEFINITION.names());
    }

    /** Kafka's default value of a topic config, as a string, or {@code null} when it has none. */
    public static String defaultValueString(String name) {
        ConfigDef.ConfigKey key = DEFINITION.configKeys().get(name);
        return key == null ? null : ConfigDef.convertToString(key.defaultValue, key.type);
    }

    /** A configuration with every key at Kafka's default. */
    public static LogConfig defaults() {
        return fromMap(Map.of());
    }

    /**
     * Parses and validates topic overrides over Kafka's defaults.
     *
     * @throws ConfigException with Kafka's message when a value is unknown or out of bounds, or {@code
     *     min.compaction.lag.ms} is above {@code max.compaction.lag.ms}; the
     *     broker answers {@code INVALID_CONFIG} with that message.
     */
    public static LogConfig fromMap(Map<String, String> overrides) {
        for (String name : overrides.keySet()) {
            if (!DEFINITION.configKeys().containsKey(name)) {
                throw new ConfigException("Unknown topic config name: " + name);
            }
        }
        Map<String, Object> parsed = DEFINITION.parse(overrides);
        long minLag = (Long) parsed.get(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG);
        long maxLag = (Long) parsed.get(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG);
        if (minLag > maxLag) {
            throw new ConfigException("conflict topic config setting " + TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG + " ("
                    + minLag + ") > " + TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG + " (" + maxLag + ")");
        }
        return new LogConfig(Map.copyOf(withoutNulls(parsed)), Map.copyOf(overrides));
    }

    /** This configuration with more overrides applied on top, validated again. */
    public LogConfig with(Map<String, String> moreOverrides) {
        Map<String, String> merged = new HashMap<>(overrides);
        merged.putAll(moreOverrides);
        return fromMap(merged);
    }

    private static Map<String, Object> withoutNulls(Map<String, Object> parsed) {
        Map<String, Object> copy = new HashMap<>();
        parsed.forEach((k, v) -> {
            if (v != null) {
                copy.put(k, v);
            }
        });
        return copy;
    }

    public int segmentBytes() {
        return (Integer) values.get(TopicConfig.SEGMENT_BYTES_CONFIG);
    }

    public long segmentMs() {
        return (Long) values.get(TopicConfig.SEGMENT_MS_CONFIG);
    }

    /**
     * How old the active segment may get before it is rolled: {@code segment.ms}, or {@code
     * max.compaction.lag.ms} when that is shorter and the topic is compacted, as Kafka's {@code
     * maxSegmentMs} (KIP-354): the active segment is never cleaned, so it must be closed in time for a
     * record in it to be compacted within the maximum lag.
     */
    public long maxSegmentMs() {
        return isCompacted() && maxCompactionLagMs() > 0 ? Math.min(maxCompactionLagMs(), segmentMs()) : segmentMs();
    }

    public long segmentJitterMs() {
        return (Long) values.get(TopicConfig.SEGMENT_JITTER_MS_CONFIG);
    }

    public int segmentIndexBytes() {
        return (Integer) values.get(TopicConfig.SEGMENT_INDEX_BYTES_CONFIG);
    }

    public long flushMessages() {
        return (Long) values.get(TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG);
    }

    public long flushMs() {
        return (Long) values.get(TopicConfig.FLUSH_MS_CONFIG);
    }

    public long retentionBytes() {
        return (Long) values.get(TopicConfig.RETENTION_BYTES_CONFIG);
    }

    public long retentionMs() {
        return (Long) values.get(TopicConfig.RETENTION_MS_CONFIG);
    }

    public int maxMessageBytes() {
        return (Integer) values.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
    }

    public int indexIntervalBytes() {
        return (Integer) values.get(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG);
    }

    public long fileDeleteDelayMs() {
        return (Long) values.get(TopicConfig.FILE_DELETE_DELAY_MS_CONFIG);
    }

    public boolean isDeleteRetention() {
        @SuppressWarnings("unchecked")
        List<String> policies = (List<String>) values.get(TopicConfig.CLEANUP_POLICY_CONFIG);
        return policies.contains(TopicConfig.CLEANUP_POLICY_DELETE);
    }

    /**
     * Whether {@code cleanup.policy} contains {@code compact}: the log cleaner keeps the latest record of
     * each key, so every record needs a key.
     */
    public boolean isCompacted() {
        @SuppressWarnings("unchecked")
        List<String> policies = (List<String>) values.get(TopicConfig.CLEANUP_POLICY_CONFIG);
        return policies.contains(TopicConfig.CLEANUP_POLICY_COMPACT);
    }

    /** {@code delete.retention.ms}: how long a cleaned tombstone (or transaction marker) is kept. */
    public long deleteRetentionMs() {
        return (Long) values.get(TopicConfig.DELETE_RETENTION_MS_CONFIG);
    }

    /** {@code min.compaction.lag.ms}: records younger than this are not compacted. */
    public long minCompactionLagMs() {
        return (Long) values.get(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG);
    }

    /** {@code max.compaction.lag.ms}: a dirty record older than this makes the log due whatever its ratio. */
    public long maxCompactionLagMs() {
        return (Long) values.get(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG);
    }

    /** {@code min.cleanable.dirty.ratio}: the dirty share of the log above which it is cleaned. */
    public double minCleanableDirtyRatio() {
        return (Double) values.get(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG);
    }

    public TimestampType messageTimestampType() {
        return "LogAppendTime".equals(values.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG))
                ? TimestampType.LOG_APPEND_TIME
                : TimestampType.CREATE_TIME;
    }

    public long messageTimestampBeforeMaxMs() {
        return (Long) values.get(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG);
    }

    public long messageTimestampAfterMaxMs() {
        return (Long) values.get(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG);
    }
}
