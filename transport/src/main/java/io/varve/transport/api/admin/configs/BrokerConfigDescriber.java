package io.varve.transport.api.admin.configs;

import io.varve.metadata.ControllerSettings.LeaderBalanceSettings;
import io.varve.partition.cleaner.CleanerSettings;
import io.varve.transport.TransportSettings;
import io.varve.transport.api.BrokerServices;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

/**
 * Describes a broker resource as Kafka does. The node itself ({@code resourceName} = its id): the
 * {@code log.*} defaults of every topic config under Kafka's broker names, which may be altered
 * dynamically, the read-only static keys Varve has ({@code node.id}, {@code num.partitions},
 * {@code log.dirs}, the {@code log.cleaner.*} settings, automatic leader rebalancing, ...), every other dynamic config stored for this node or the cluster level, and
 * any other key of Kafka's broker table the request names, with Kafka's default. The cluster level
 * ({@code ""}): only the dynamic defaults set, as Kafka answers. A password, or a custom key Kafka
 * does not know, is sensitive: its value is not shown. Built per request; immutable.
 */
final class BrokerConfigDescriber {
    private final TopicConfigDescriber topics;
    private final Map<String, String> brokerDynamic;
    private final Map<String, String> clusterDynamic;
    private final CleanerSettings cleaner;
    private final LeaderBalanceSettings leaderBalance;

    /**
     * @param brokerDynamic this node's own dynamic configs
     * @param clusterDynamic the cluster-level dynamic configs
     * @param cleaner the node's log cleaner settings, fixed at start
     * @param leaderBalance the controller's automatic leader rebalancing, fixed at start
     */
    BrokerConfigDescriber(
            TopicConfigDescriber topics,
            Map<String, String> brokerDynamic,
            Map<String, String> clusterDynamic,
            CleanerSettings cleaner,
            LeaderBalanceSettings leaderBalance) {
        this.topics = topics;
        this.brokerDynamic = brokerDynamic;
        this.clusterDynamic = clusterDynamic;
        this.cleaner = cleaner;
        this.leaderBalance = leaderBalance;
    }

    /** {@code requested}: the keys the request names, or null/empty for all. */
    List<ConfigView> describeNode(BrokerServices services, Path logDir, List<String> requested) {
        List<ConfigView> views = new ArrayList<>();
        for (String topicName : BrokerConfigNames.topicNames()) {
            views.add(TopicConfigDescriber.view(
                    BrokerConfigNames.brokerName(topicName),
                    topics.brokerSynonyms(topicName),
                    false,
                    BrokerConfigNames.documentation(topicName)));
        }
        views.addAll(staticKeys(services, logDir));
        views.addAll(leaderBalanceKeys(leaderBalance));
        cleaner.asKafkaConfigs().forEach((name, value) -> {
            CleanerConfigNames.Key key = CleanerConfigNames.key(name);
            views.add(staticKey(name, value, key.kafkaDefault(), key.type(), key.documentation()));
        });
        Set<String> described = new HashSet<>();
        views.forEach(view -> described.add(view.name()));
        Set<String> others = new TreeSet<>(brokerDynamic.keySet());
        others.addAll(clusterDynamic.keySet());
        if (requested != null) {
            others.addAll(requested);
        }
        for (String name : others) {
            if (!described.contains(name)) {
                otherKey(name).ifPresent(views::add);
            }
        }
        return views;
    }

    /** The dynamic cluster-wide defaults, as Kafka describes the broker resource {@code ""}. */
    List<ConfigView> describeClusterDefault() {
        List<ConfigView> views = new ArrayList<>();
        new TreeMap<>(clusterDynamic)
                .forEach((name, value) -> views.add(view(
                        name,
                        List.of(new ConfigView.Synonym(name, value, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG)))));
        return views;
    }

    /**
     * A key outside the topic defaults and Varve's static keys: from this node's dynamic configs, the
     * cluster level's, then Kafka's default; nothing for a name neither stored nor known to Kafka.
     */
    private Optional<ConfigView> otherKey(String name) {
        List<ConfigView.Synonym> synonyms = new ArrayList<>();
        if (brokerDynamic.containsKey(name)) {
            synonyms.add(new ConfigView.Synonym(name, brokerDynamic.get(name), ConfigSource.DYNAMIC_BROKER_CONFIG));
        }
        if (clusterDynamic.containsKey(name)) {
            synonyms.add(
                    new ConfigView.Synonym(name, clusterDynamic.get(name), ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG));
        }
        Optional<KafkaBrokerConfigs.Definition> definition = KafkaBrokerConfigs.find(name);
        if (definition.isPresent()) {
            synonyms.add(new ConfigView.Synonym(name, definition.get().defaultValue(), ConfigSource.DEFAULT_CONFIG));
        }
        return synonyms.isEmpty() ? Optional.empty() : Optional.of(view(name, synonyms));
    }

    private static ConfigView view(String name, List<ConfigView.Synonym> synonyms) {
        Optional<KafkaBrokerConfigs.Definition> definition = KafkaBrokerConfigs.find(name);
        Optional<String> topicName = BrokerConfigNames.topicName(name);
        ConfigType type = topicName
                .map(TopicConfigDescriber::typeOf)
                .orElseGet(() -> definition.map(d -> configType(d.type())).orElse(ConfigType.UNKNOWN));
        String documentation = topicName.map(BrokerConfigNames::documentation).orElse(null);
        // Kafka: a password, or a config whose type it does not know, is sensitive
        boolean sensitive =
                definition.map(d -> d.type() == ConfigDef.Type.PASSWORD).orElse(topicName.isEmpty());
        boolean readOnly =
                topicName.isEmpty() && definition.map(d -> !d.isDynamic()).orElse(true);
        ConfigView.Synonym inForce = synonyms.get(0);
        return new ConfigView(
                name, inForce.value(), inForce.source(), readOnly, synonyms, type, documentation, sensitive);
    }

    private static ConfigType configType(ConfigDef.Type type) {
        return switch (type) {
            case BOOLEAN -> ConfigType.BOOLEAN;
            case STRING -> ConfigType.STRING;
            case INT -> ConfigType.INT;
            case SHORT -> ConfigType.SHORT;
            case LONG -> ConfigType.LONG;
            case DOUBLE -> ConfigType.DOUBLE;
            case LIST -> ConfigType.LIST;
            case CLASS -> ConfigType.CLASS;
            case PASSWORD -> ConfigType.PASSWORD;
        };
    }

    private static List<ConfigView> staticKeys(BrokerServices services, Path logDir) {
        String nodeId = Integer.toString(services.nodeId());
        TransportSettings settings = services.settings();
        List<ConfigView> views = new ArrayList<>();
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
        return views;
    }

    /** {@code varve.controller.auto-leader-rebalance.*} under Kafka's names, with Kafka's defaults. */
    private static List<ConfigView> leaderBalanceKeys(LeaderBalanceSettings balance) {
        return List.of(
                staticKey(
                        "auto.leader.rebalance.enable",
                        Boolean.toString(balance.enabled()),
                        "true",
                        ConfigType.BOOLEAN,
                        "Whether the controller moves leaderships back to preferred replicas when imbalanced."),
                staticKey(
                        "leader.imbalance.per.broker.percentage",
                        Integer.toString(balance.imbalancePercentage()),
                        "10",
                        ConfigType.INT,
                        "The share of a broker's preferred leaderships held by others that triggers a rebalance."),
                staticKey(
                        "leader.imbalance.check.interval.seconds",
                        Long.toString(balance.checkInterval().toSeconds()),
                        "300",
                        ConfigType.LONG,
                        "How often the controller checks the leader imbalance."));
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
