package io.varve.transport.api.admin.configs;

import io.varve.partition.cleaner.CleanerSettings;
import io.varve.transport.TransportSettings;
import io.varve.transport.api.BrokerServices;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

/**
 * Describes a broker resource as Kafka does. The node itself ({@code resourceName} = its id): the
 * {@code log.*} defaults of every topic config under Kafka's broker names, which may be altered
 * dynamically, and the read-only static keys Varve has ({@code node.id}, {@code num.partitions},
 * {@code log.dirs}, the {@code log.cleaner.*} settings, ...). The cluster default ({@code ""}): only the dynamic defaults set, as
 * Kafka answers. Built per request; immutable.
 */
final class BrokerConfigDescriber {
    private final TopicConfigDescriber topics;
    private final Map<String, String> dynamicBrokerDefaults;
    private final CleanerSettings cleaner;

    BrokerConfigDescriber(
            TopicConfigDescriber topics, Map<String, String> dynamicBrokerDefaults, CleanerSettings cleaner) {
        this.topics = topics;
        this.dynamicBrokerDefaults = dynamicBrokerDefaults;
        this.cleaner = cleaner;
    }

    List<ConfigView> describeNode(BrokerServices services, Path logDir) {
        List<ConfigView> views = new ArrayList<>();
        for (String topicName : BrokerConfigNames.topicNames()) {
            views.add(TopicConfigDescriber.view(
                    BrokerConfigNames.brokerName(topicName),
                    topics.brokerSynonyms(topicName),
                    false,
                    BrokerConfigNames.documentation(topicName)));
        }
        String nodeId = Integer.toString(services.nodeId());
        TransportSettings settings = services.settings();
        views.add(staticKey("node.id", nodeId, null, ConfigType.INT, "This node's id."));
        views.add(staticKey("broker.id", nodeId, null, ConfigType.INT, "This broker's id (node.id)."));
        views.add(staticKey("log.dirs", logDir.toString(), null, ConfigType.STRING, "The data directory."));
        views.add(staticKey(
                "num.partitions",
                Integer.toString(settings.defaultPartitions()),
                "1",
                ConfigType.INT,
                "Default partition count of new topics."));
        views.add(staticKey(
                "default.replication.factor",
                Short.toString(settings.defaultReplicationFactor()),
                "1",
                ConfigType.INT,
                "Default replication factor of new topics."));
        views.add(staticKey(
                "auto.create.topics.enable",
                Boolean.toString(settings.autoCreateTopics()),
                "true",
                ConfigType.BOOLEAN,
                "Whether Metadata creates unknown topics."));
        views.add(staticKey(
                "socket.request.max.bytes",
                Integer.toString(settings.socketRequestMaxBytes()),
                "104857600",
                ConfigType.INT,
                "The largest request accepted."));
        cleaner.asKafkaConfigs().forEach((name, value) -> {
            CleanerConfigNames.Key key = CleanerConfigNames.key(name);
            views.add(staticKey(name, value, key.kafkaDefault(), key.type(), key.documentation()));
        });
        return views;
    }

    /** The dynamic cluster-wide defaults, as Kafka describes the broker resource {@code ""}. */
    List<ConfigView> describeClusterDefault() {
        List<ConfigView> views = new ArrayList<>();
        dynamicBrokerDefaults.forEach((name, value) -> {
            String documentation = BrokerConfigNames.topicName(name)
                    .map(BrokerConfigNames::documentation)
                    .orElse(null);
            ConfigType type = BrokerConfigNames.topicName(name)
                    .map(TopicConfigDescriber::typeOf)
                    .orElse(ConfigType.UNKNOWN);
            List<ConfigView.Synonym> synonyms =
                    List.of(new ConfigView.Synonym(name, value, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG));
            views.add(new ConfigView(
                    name, value, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, false, synonyms, type, documentation));
        });
        views.sort((a, b) -> a.name().compareTo(b.name()));
        return views;
    }

    /**
     * A read-only key from the node's static configuration; reported as {@code DEFAULT_CONFIG} when
     * it equals Kafka's default ({@code kafkaDefault}), else {@code STATIC_BROKER_CONFIG}.
     */
    private static ConfigView staticKey(
            String name, String value, String kafkaDefault, ConfigType type, String documentation) {
        ConfigSource source =
                value.equals(kafkaDefault) ? ConfigSource.DEFAULT_CONFIG : ConfigSource.STATIC_BROKER_CONFIG;
        return new ConfigView(
                name, value, source, true, List.of(new ConfigView.Synonym(name, value, source)), type, documentation);
    }
}
