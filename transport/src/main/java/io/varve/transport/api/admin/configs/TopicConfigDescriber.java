package io.varve.transport.api.admin.configs;

import io.varve.metadata.MetadataImage;
import io.varve.storage.log.LogConfig;
import io.varve.storage.log.ThrottledReplicas;
import io.varve.transport.api.BrokerServices;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

/**
 * Describes topic configs as Kafka does: every topic config with its effective value, taken from
 * the first of the topic's override ({@code TOPIC_CONFIG}, Kafka's DYNAMIC_TOPIC_CONFIG), this
 * broker's own dynamic config ({@code DYNAMIC_BROKER_CONFIG}) and the cluster's dynamic default
 * ({@code DYNAMIC_DEFAULT_BROKER_CONFIG}), both stored under the broker name, the broker's static
 * config ({@code STATIC_BROKER_CONFIG}) and Kafka's default ({@code DEFAULT_CONFIG}). Built per
 * request from one metadata image; immutable.
 */
public final class TopicConfigDescriber {
    private static final LogConfig KAFKA_DEFAULTS = LogConfig.defaults();

    private final Map<String, String> staticDefaults;
    private final Map<String, String> brokerDynamic;
    private final Map<String, String> clusterDynamic;

    /**
     * @param staticDefaults topic config name → the broker's static default
     * @param brokerDynamic broker config name → this broker's own dynamic value
     * @param clusterDynamic broker config name → the cluster's dynamic default
     */
    public TopicConfigDescriber(
            Map<String, String> staticDefaults, Map<String, String> brokerDynamic, Map<String, String> clusterDynamic) {
        this.staticDefaults = staticDefaults;
        this.brokerDynamic = brokerDynamic;
        this.clusterDynamic = clusterDynamic;
    }

    public static TopicConfigDescriber of(BrokerServices services) {
        MetadataImage image = services.metadata().image();
        return new TopicConfigDescriber(
                services.topicConfigs().brokerDefaults(),
                image.brokerConfigs(Integer.toString(services.nodeId())),
                image.brokerConfigs(MetadataImage.CLUSTER_LEVEL));
    }

    /** Every topic config of a topic with {@code overrides}, in Kafka's order. */
    public List<ConfigView> describe(Map<String, String> overrides) {
        List<ConfigView> views = new ArrayList<>();
        for (String name : LogConfig.names()) {
            List<ConfigView.Synonym> synonyms = new ArrayList<>();
            String override = overrides.get(name);
            if (override != null) {
                synonyms.add(new ConfigView.Synonym(name, override, ConfigSource.TOPIC_CONFIG));
            }
            if (BrokerConfigNames.hasBrokerName(name)) {
                synonyms.addAll(brokerSynonyms(name));
                views.add(view(name, synonyms, false, BrokerConfigNames.documentation(name)));
            } else {
                views.add(view(name, synonyms, false, TOPIC_ONLY_DOCUMENTATION.get(name)));
            }
        }
        return views;
    }

    /** The broker-side sources of a topic config's default, under its broker name, most precedent first. */
    List<ConfigView.Synonym> brokerSynonyms(String topicName) {
        String brokerName = BrokerConfigNames.brokerName(topicName);
        List<ConfigView.Synonym> synonyms = new ArrayList<>();
        String own = brokerDynamic.get(brokerName);
        if (own != null) {
            synonyms.add(new ConfigView.Synonym(brokerName, own, ConfigSource.DYNAMIC_BROKER_CONFIG));
        }
        String clusterLevel = clusterDynamic.get(brokerName);
        if (clusterLevel != null) {
            synonyms.add(new ConfigView.Synonym(brokerName, clusterLevel, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG));
        }
        String staticValue = staticDefaults.get(topicName);
        if (staticValue != null) {
            synonyms.add(new ConfigView.Synonym(brokerName, staticValue, ConfigSource.STATIC_BROKER_CONFIG));
        }
        ConfigView.Synonym hoursDefault = HOURS_DEFAULTS.get(topicName);
        String kafkaDefault = LogConfig.defaultValueString(topicName);
        if (hoursDefault != null) {
            synonyms.add(hoursDefault);
        } else if (kafkaDefault != null) {
            synonyms.add(new ConfigView.Synonym(brokerName, kafkaDefault, ConfigSource.DEFAULT_CONFIG));
        }
        return synonyms;
    }

    /** The documentation of the topic configs without a broker synonym. */
    private static final Map<String, String> TOPIC_ONLY_DOCUMENTATION = Map.of(
            ThrottledReplicas.LEADER_CONFIG,
            "Replicas (partitionId:brokerId, or * for all) whose leaders limit replication to "
                    + "out-of-sync followers to the broker's leader.replication.throttled.rate.",
            ThrottledReplicas.FOLLOWER_CONFIG,
            "Replicas (partitionId:brokerId, or * for all) that, out of sync, fetch at most the "
                    + "broker's follower.replication.throttled.rate.");

    /**
     * Kafka's brokers leave {@code log.retention.ms}, {@code log.roll.ms} and {@code
     * log.roll.jitter.ms} unset and default the hour-based keys instead, so that is the default
     * synonym DescribeConfigs reports for these topic configs (the value stays in milliseconds).
     */
    private static final Map<String, ConfigView.Synonym> HOURS_DEFAULTS = Map.of(
            TopicConfig.RETENTION_MS_CONFIG,
            new ConfigView.Synonym("log.retention.hours", "168", ConfigSource.DEFAULT_CONFIG),
            TopicConfig.SEGMENT_MS_CONFIG,
            new ConfigView.Synonym("log.roll.hours", "168", ConfigSource.DEFAULT_CONFIG),
            TopicConfig.SEGMENT_JITTER_MS_CONFIG,
            new ConfigView.Synonym("log.roll.jitter.hours", "0", ConfigSource.DEFAULT_CONFIG));

    static ConfigView view(String name, List<ConfigView.Synonym> synonyms, boolean readOnly, String documentation) {
        ConfigView.Synonym inForce = synonyms.isEmpty() ? null : synonyms.get(0);
        String kafkaDefault = LogConfig.defaultValueString(name);
        if (inForce == null && kafkaDefault != null) {
            // a topic-only config at its default: Kafka reports the default with no synonym
            return new ConfigView(
                    name, kafkaDefault, ConfigSource.DEFAULT_CONFIG, readOnly, List.of(), typeOf(name), documentation);
        }
        String value = inForce == null
                ? null
                : inForce.source() == ConfigSource.DEFAULT_CONFIG && kafkaDefault != null
                        ? kafkaDefault
                        : inForce.value();
        return new ConfigView(
                name,
                value,
                inForce == null ? ConfigSource.UNKNOWN : inForce.source(),
                readOnly,
                List.copyOf(synonyms),
                typeOf(name),
                documentation);
    }

    /** The type of a topic config, from the Java type Kafka's definition parses it to. */
    static ConfigType typeOf(String topicName) {
        Object parsed = KAFKA_DEFAULTS.values().get(topicName);
        if (parsed instanceof Integer) {
            return ConfigType.INT;
        } else if (parsed instanceof Long) {
            return ConfigType.LONG;
        } else if (parsed instanceof Boolean) {
            return ConfigType.BOOLEAN;
        } else if (parsed instanceof Double) {
            return ConfigType.DOUBLE;
        } else if (parsed instanceof List) {
            return ConfigType.LIST;
        } else if (parsed instanceof String) {
            return ConfigType.STRING;
        }
        return ConfigType.UNKNOWN;
    }

    /** Whether a topic config is list-typed, so IncrementalAlterConfigs may APPEND/SUBTRACT it. */
    static boolean isList(String topicName) {
        return typeOf(topicName) == ConfigType.LIST;
    }
}
