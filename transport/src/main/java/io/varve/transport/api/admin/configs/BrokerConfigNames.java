package io.varve.transport.api.admin.configs;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Kafka's pairing of each topic config with the broker config that supplies its default ({@code
 * retention.ms} ↔ {@code log.retention.ms}, {@code max.message.bytes} ↔ {@code message.max.bytes},
 * ...), as DescribeConfigs reports synonyms and as dynamic broker defaults are stored. Covers every
 * name of {@link io.varve.storage.log.LogConfig#names()} but the two throttled-replica lists, which
 * are topic-only in Kafka too ({@link #hasBrokerName}). Immutable; safe from any thread.
 */
public final class BrokerConfigNames {
    private record Names(String topicName, String brokerName, String documentation) {}

    private static final List<Names> ALL = List.of(
            new Names(TopicConfig.SEGMENT_BYTES_CONFIG, "log.segment.bytes", "The segment file size of the log."),
            new Names(TopicConfig.SEGMENT_MS_CONFIG, "log.roll.ms", "Time after which a new segment is rolled."),
            new Names(
                    TopicConfig.SEGMENT_JITTER_MS_CONFIG,
                    "log.roll.jitter.ms",
                    "Maximum random jitter subtracted from the roll time."),
            new Names(
                    TopicConfig.SEGMENT_INDEX_BYTES_CONFIG,
                    "log.index.size.max.bytes",
                    "The size of the index that maps offsets to file positions."),
            new Names(
                    TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG,
                    "log.flush.interval.messages",
                    "Messages accumulated on a partition before they are flushed to disk."),
            new Names(
                    TopicConfig.FLUSH_MS_CONFIG,
                    "log.flush.interval.ms",
                    "Maximum time a message stays in memory before it is flushed to disk."),
            new Names(
                    TopicConfig.RETENTION_BYTES_CONFIG,
                    "log.retention.bytes",
                    "Maximum size of a partition before old segments are deleted."),
            new Names(
                    TopicConfig.RETENTION_MS_CONFIG,
                    "log.retention.ms",
                    "Maximum time a log segment is retained before it is deleted."),
            new Names(
                    TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                    "message.max.bytes",
                    "The largest record batch size allowed."),
            new Names(
                    TopicConfig.INDEX_INTERVAL_BYTES_CONFIG,
                    "log.index.interval.bytes",
                    "Bytes appended between two offset index entries."),
            new Names(
                    TopicConfig.DELETE_RETENTION_MS_CONFIG,
                    "log.cleaner.delete.retention.ms",
                    "How long tombstones are kept on compacted topics."),
            new Names(
                    TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG,
                    "log.cleaner.min.compaction.lag.ms",
                    "Minimum time a record stays uncompacted."),
            new Names(
                    TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG,
                    "log.cleaner.max.compaction.lag.ms",
                    "Maximum time a record stays ineligible for compaction."),
            new Names(
                    TopicConfig.FILE_DELETE_DELAY_MS_CONFIG,
                    "log.segment.delete.delay.ms",
                    "Time to wait before a deleted segment's file is removed."),
            new Names(
                    TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG,
                    "log.cleaner.min.cleanable.ratio",
                    "Minimum ratio of dirty log to total log for compaction."),
            new Names(
                    TopicConfig.CLEANUP_POLICY_CONFIG,
                    "log.cleanup.policy",
                    "The retention policy of old segments: delete and/or compact."),
            new Names(
                    TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG,
                    "unclean.leader.election.enable",
                    "Whether a replica outside the ISR may become leader."),
            new Names(
                    TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG,
                    "min.insync.replicas",
                    "Minimum in-sync replicas for an acks=all write."),
            new Names(
                    TopicConfig.COMPRESSION_TYPE_CONFIG,
                    "compression.type",
                    "The final compression type of the topic's batches."),
            new Names(TopicConfig.PREALLOCATE_CONFIG, "log.preallocate", "Whether segment files are preallocated."),
            new Names(
                    TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG,
                    "log.message.timestamp.type",
                    "Whether record timestamps are CreateTime or LogAppendTime."),
            new Names(
                    TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG,
                    "log.message.timestamp.before.max.ms",
                    "Maximum allowed age of a record timestamp behind the broker's clock."),
            new Names(
                    TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG,
                    "log.message.timestamp.after.max.ms",
                    "Maximum allowed lead of a record timestamp ahead of the broker's clock."));

    private static final Map<String, Names> BY_TOPIC_NAME = index(true);
    private static final Map<String, Names> BY_BROKER_NAME = index(false);

    private BrokerConfigNames() {}

    /** Whether a broker config supplies the default of {@code topicConfig} (all but topic-only ones). */
    public static boolean hasBrokerName(String topicConfig) {
        return BY_TOPIC_NAME.containsKey(topicConfig);
    }

    /** The broker config that supplies the default of {@code topicConfig}. */
    public static String brokerName(String topicConfig) {
        return require(topicConfig).brokerName();
    }

    /** The topic config whose default {@code brokerConfig} supplies, if it is one of those. */
    public static Optional<String> topicName(String brokerConfig) {
        return Optional.ofNullable(BY_BROKER_NAME.get(brokerConfig)).map(Names::topicName);
    }

    public static String documentation(String topicConfig) {
        return require(topicConfig).documentation();
    }

    /** Every topic config with a broker synonym, in Kafka's order. */
    public static List<String> topicNames() {
        return List.copyOf(BY_TOPIC_NAME.keySet());
    }

    /**
     * Topic-config defaults from broker configs under Kafka's broker names (the dynamic broker
     * configs of the metadata image); keys without a topic equivalent are left out.
     */
    public static Map<String, String> topicDefaults(Map<String, String> brokerConfigs) {
        Map<String, String> defaults = new HashMap<>();
        brokerConfigs.forEach((name, value) -> topicName(name).ifPresent(topic -> defaults.put(topic, value)));
        return defaults;
    }

    private static Names require(String topicConfig) {
        Names names = BY_TOPIC_NAME.get(topicConfig);
        if (names == null) {
            throw new IllegalArgumentException("no broker synonym for topic config " + topicConfig);
        }
        return names;
    }

    private static Map<String, Names> index(boolean byTopicName) {
        Map<String, Names> index = new LinkedHashMap<>();
        for (Names names : ALL) {
            index.put(byTopicName ? names.topicName() : names.brokerName(), names);
        }
        return index;
    }
}
