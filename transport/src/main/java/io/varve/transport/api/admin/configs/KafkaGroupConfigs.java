package io.varve.transport.api.admin.configs;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

/**
 * Apache Kafka's dynamic group configs (KIP-848 and KIP-932 GROUP config resources, as Kafka 4.3
 * defines them): each name's type, default, the broker config it falls back to, and Kafka's checks
 * of a new set: unknown names, values of the wrong type or shape, and the bounds the broker's
 * {@code group.*.min/max.*} configs set (Kafka's defaults: Varve has no such broker configs). Varve
 * stores and describes them; its groups use the classic protocol only, so none takes effect yet.
 * Immutable; safe from any thread.
 */
final class KafkaGroupConfigs {
    /** One group config: its broker-level fallback (null if none) and the bounds the broker sets. */
    private record Definition(
            String name, Type type, Object defaultValue, String brokerSynonym, Bound min, Bound max, String doc) {}

    /** A bound from a broker config: {@code value} is Kafka's default of {@code brokerConfig}. */
    private record Bound(String brokerConfig, int value) {}

    private static final Map<String, Definition> DEFINITIONS = new LinkedHashMap<>();
    private static final ConfigDef CONFIG_DEF = new ConfigDef();

    static {
        sessionAndHeartbeat("consumer", "consumer groups (KIP-848)");
        interval("consumer");
        sessionAndHeartbeat("share", "share groups (KIP-932)");
        define(
                "share.record.lock.duration.ms",
                Type.INT,
                30_000,
                Range.atLeast(1000),
                "group.share.record.lock.duration.ms",
                new Bound("group.share.min.record.lock.duration.ms", 15_000),
                new Bound("group.share.max.record.lock.duration.ms", 60_000),
                "How long a share group member holds a lock on the records it was given.");
        define(
                "share.delivery.count.limit",
                Type.INT,
                5,
                Range.atLeast(2),
                "group.share.delivery.count.limit",
                new Bound("group.share.min.delivery.count.limit", 2),
                new Bound("group.share.max.delivery.count.limit", 10),
                "How many times a record may be delivered to a share group before it is archived.");
        define(
                "share.partition.max.record.locks",
                Type.INT,
                2000,
                Range.atLeast(100),
                "group.share.partition.max.record.locks",
                new Bound("group.share.min.partition.max.record.locks", 100),
                new Bound("group.share.max.partition.max.record.locks", 4000),
                "The most records of one partition a share group may hold locked at once.");
        define(
                "share.auto.offset.reset",
                Type.STRING,
                "latest",
                KafkaGroupConfigs::checkAutoOffsetReset,
                null,
                null,
                null,
                "Where a share group starts in a partition without a start offset: earliest, latest, or"
                        + " by_duration:<ISO-8601 duration> before now.");
        define(
                "share.isolation.level",
                Type.STRING,
                "read_uncommitted",
                ValidString.in("read_committed", "read_uncommitted"),
                null,
                null,
                null,
                "Whether a share group reads only committed transactional records (read_committed) or all.");
        define(
                "share.renew.acknowledge.enable",
                Type.BOOLEAN,
                true,
                null,
                null,
                null,
                null,
                "Whether share group members may renew their lock on a record (the RENEW acknowledgement).");
        interval("share");
        sessionAndHeartbeat("streams", "streams groups (KIP-1071)");
        define(
                "streams.num.standby.replicas",
                Type.INT,
                0,
                Range.atLeast(0),
                "group.streams.num.standby.replicas",
                null,
                new Bound("group.streams.max.standby.replicas", 2),
                "How many standby replicas of each task a streams group keeps.");
        define(
                "streams.initial.rebalance.delay.ms",
                Type.INT,
                3000,
                Range.atLeast(0),
                "group.streams.initial.rebalance.delay.ms",
                null,
                null,
                "How long a new streams group waits for more members before its first assignment.");
        interval("streams");
    }

    private KafkaGroupConfigs() {}

    private static void sessionAndHeartbeat(String protocol, String what) {
        define(
                protocol + ".session.timeout.ms",
                Type.INT,
                45_000,
                Range.atLeast(1),
                "group." + protocol + ".session.timeout.ms",
                new Bound("group." + protocol + ".min.session.timeout.ms", 45_000),
                new Bound("group." + protocol + ".max.session.timeout.ms", 60_000),
                "How long the coordinator waits for a heartbeat of a member of " + what + " before removing it.");
        define(
                protocol + ".heartbeat.interval.ms",
                Type.INT,
                5000,
                Range.atLeast(1),
                "group." + protocol + ".heartbeat.interval.ms",
                new Bound("group." + protocol + ".min.heartbeat.interval.ms", 5000),
                new Bound("group." + protocol + ".max.heartbeat.interval.ms", 15_000),
                "How often a member of " + what + " is told to heartbeat.");
    }

    private static void interval(String protocol) {
        define(
                protocol + ".assignment.interval.ms",
                Type.INT,
                1000,
                Range.atLeast(0),
                "group." + protocol + ".assignment.interval.ms",
                new Bound("group." + protocol + ".min.assignment.interval.ms", 0),
                new Bound("group." + protocol + ".max.assignment.interval.ms", 15_000),
                "The least time between two assignments the coordinator computes for a " + protocol + " group.");
    }

    private static void define(
            String name,
            Type type,
            Object defaultValue,
            ConfigDef.Validator validator,
            String brokerSynonym,
            Bound min,
            Bound max,
            String doc) {
        DEFINITIONS.put(name, new Definition(name, type, defaultValue, brokerSynonym, min, max, doc));
        CONFIG_DEF.define(name, type, defaultValue, validator, ConfigDef.Importance.MEDIUM, doc);
    }

    /** Every group config name, in the order DescribeConfigs lists them. */
    static List<String> names() {
        return List.copyOf(DEFINITIONS.keySet());
    }

    /**
     * Kafka's answer to a group's new set of configs: the first unknown name, then each value's type
     * and validator (Kafka's ConfigDef messages), then the broker's bounds; INVALID_CONFIG.
     */
    static Optional<ApiError> validate(Map<String, String> configs) {
        for (String name : configs.keySet()) {
            if (!DEFINITIONS.containsKey(name)) {
                return Optional.of(new ApiError(Errors.INVALID_CONFIG, "Unknown group config name: " + name));
            }
        }
        Map<String, Object> parsed;
        try {
            parsed = CONFIG_DEF.parse(configs);
        } catch (ConfigException e) {
            return Optional.of(new ApiError(Errors.INVALID_CONFIG, e.getMessage()));
        }
        for (String name : configs.keySet()) {
            Definition definition = DEFINITIONS.get(name);
            if (!(parsed.get(name) instanceof Integer value)) {
                continue;
            }
            if (definition.min() != null && value < definition.min().value()) {
                return Optional.of(new ApiError(
                        Errors.INVALID_CONFIG,
                        name + " must be greater than or equal to "
                                + definition.min().brokerConfig()));
            }
            if (definition.max() != null && value > definition.max().value()) {
                return Optional.of(new ApiError(
                        Errors.INVALID_CONFIG,
                        name + " must be less than or equal to "
                                + definition.max().brokerConfig()));
            }
        }
        return Optional.empty();
    }

    /**
     * Every group config as DescribeConfigs shows it for a group with {@code overrides}: the override
     * (GROUP_CONFIG) over the default, which is named after its broker config where one exists.
     */
    static List<ConfigView> describe(Map<String, String> overrides) {
        List<ConfigView> views = new ArrayList<>();
        for (Definition definition : DEFINITIONS.values()) {
            String defaultValue = String.valueOf(definition.defaultValue());
            ConfigView.Synonym fallback = new ConfigView.Synonym(
                    definition.brokerSynonym() == null ? definition.name() : definition.brokerSynonym(),
                    defaultValue,
                    ConfigSource.DEFAULT_CONFIG);
            String override = overrides.get(definition.name());
            List<ConfigView.Synonym> synonyms = override == null
                    ? List.of(fallback)
                    : List.of(new ConfigView.Synonym(definition.name(), override, ConfigSource.GROUP_CONFIG), fallback);
            views.add(new ConfigView(
                    definition.name(),
                    override == null ? defaultValue : override,
                    override == null ? ConfigSource.DEFAULT_CONFIG : ConfigSource.GROUP_CONFIG,
                    false,
                    synonyms,
                    typeOf(definition.type()),
                    definition.doc()));
        }
        return views;
    }

    private static ConfigType typeOf(Type type) {
        return switch (type) {
            case INT -> ConfigType.INT;
            case BOOLEAN -> ConfigType.BOOLEAN;
            default -> ConfigType.STRING;
        };
    }

    /** earliest, latest, or by_duration:<ISO-8601 duration, not negative>, as Kafka accepts. */
    private static void checkAutoOffsetReset(String name, Object value) {
        String text = String.valueOf(value);
        if (text.equals("earliest") || text.equals("latest")) {
            return;
        }
        if (text.startsWith("by_duration:")) {
            try {
                if (!Duration.parse(text.substring("by_duration:".length())).isNegative()) {
                    return;
                }
            } catch (DateTimeParseException e) {
                // refused below
            }
        }
        throw new ConfigException(
                name,
                value,
                "Invalid value `" + text + "` for configuration " + name
                        + ". The value must be either 'earliest', 'latest' or of the format"
                        + " 'by_duration:<PnDTnHnMn.nS>'.");
    }
}
