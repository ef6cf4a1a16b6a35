package io.varve.transport.api.admin.configs;

import static io.varve.transport.api.admin.AdminTestContext.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.varve.partition.cleaner.CleanerSettings;
import io.varve.transport.api.admin.AdminTestContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DescribeConfigsHandlerTest {
    private static final ActorTestKit KIT = ActorTestKit.create();
    private static final Path LOG_DIR = Path.of("/var/lib/varve/data");

    private final DescribeConfigsHandler handler = new DescribeConfigsHandler(LOG_DIR);
    private AdminTestContext ctx;

    @AfterAll
    static void stopKit() {
        KIT.shutdownTestKit();
    }

    @BeforeEach
    void setUp() {
        ctx = new AdminTestContext(
                KIT,
                AdminTestContext.image()
                        .topic(
                                "orders",
                                Uuid.fromString("tSPbqZf0QkOHGcFd1dv5dA"),
                                1,
                                1,
                                Map.of("retention.ms", "1000", "cleanup.policy", "compact"))
                        .brokerConfig("log.segment.bytes", "2097152")
                        .build(),
                Map.of("retention.ms", "3600000", "max.message.bytes", "500000"),
                Duration.ofSeconds(5));
    }

    private DescribeConfigsResponseData send(
            short version, boolean synonyms, boolean documentation, DescribeConfigsResource... resources) {
        DescribeConfigsRequestData data = new DescribeConfigsRequestData()
                .setIncludeSynonyms(synonyms)
                .setIncludeDocumentation(documentation)
                .setResources(List.of(resources));
        return body(handler.handle(
                ctx.context(ApiKeys.DESCRIBE_CONFIGS, version),
                new DescribeConfigsRequest.Builder(data).build(version)));
    }

    private static DescribeConfigsResource resource(ConfigResource.Type type, String name, List<String> keys) {
        return new DescribeConfigsResource()
                .setResourceType(type.id())
                .setResourceName(name)
                .setConfigurationKeys(keys);
    }

    private static DescribeConfigsResourceResult entry(DescribeConfigsResult result, String name) {
        return result.configs().stream()
                .filter(c -> c.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + name));
    }

    private static DescribeConfigsSynonym synonym(String name, String value, ConfigSource source) {
        return new DescribeConfigsSynonym().setName(name).setValue(value).setSource(source.id());
    }

    @Test
    void describesEveryTopicConfigWithItsSourceAndSynonyms() {
        DescribeConfigsResult result = send((short) 4, true, true, resource(ConfigResource.Type.TOPIC, "orders", null))
                .results()
                .get(0);

        assertThat(result.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(result.resourceName()).isEqualTo("orders");
        assertThat(result.configs())
                .extracting(DescribeConfigsResourceResult::name)
                .isEqualTo(io.varve.storage.log.LogConfig.names());

        DescribeConfigsResourceResult retention = entry(result, "retention.ms");
        assertThat(retention.value()).isEqualTo("1000");
        assertThat(retention.configSource()).isEqualTo(ConfigSource.TOPIC_CONFIG.id());
        assertThat(retention.configType()).isEqualTo(ConfigType.LONG.id());
        assertThat(retention.readOnly()).isFalse();
        assertThat(retention.isSensitive()).isFalse();
        assertThat(retention.documentation()).isEqualTo("Maximum time a log segment is retained before it is deleted.");
        assertThat(retention.synonyms())
                .containsExactly(
                        synonym("retention.ms", "1000", ConfigSource.TOPIC_CONFIG),
                        synonym("log.retention.ms", "3600000", ConfigSource.STATIC_BROKER_CONFIG),
                        synonym("log.retention.hours", "168", ConfigSource.DEFAULT_CONFIG));

        // a topic-only config (no broker synonym) at its default: "" from DEFAULT_CONFIG, no synonyms
        DescribeConfigsResourceResult throttled = entry(result, "leader.replication.throttled.replicas");
        assertThat(throttled.value()).isEmpty();
        assertThat(throttled.configSource()).isEqualTo(ConfigSource.DEFAULT_CONFIG.id());
        assertThat(throttled.configType()).isEqualTo(ConfigType.LIST.id());
        assertThat(throttled.synonyms()).isEmpty();

        // Kafka defaults the hour-based broker keys: retention.ms 604800000 is "log.retention.hours=168"
        DescribeConfigsResourceResult roll = entry(result, "segment.ms");
        assertThat(roll.value()).isEqualTo("604800000");
        assertThat(roll.configSource()).isEqualTo(ConfigSource.DEFAULT_CONFIG.id());
        assertThat(roll.synonyms()).containsExactly(synonym("log.roll.hours", "168", ConfigSource.DEFAULT_CONFIG));

        DescribeConfigsResourceResult segment = entry(result, "segment.bytes");
        assertThat(segment.value()).isEqualTo("2097152");
        assertThat(segment.configSource()).isEqualTo(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG.id());
        assertThat(segment.synonyms())
                .containsExactly(
                        synonym("log.segment.bytes", "2097152", ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG),
                        synonym("log.segment.bytes", "1073741824", ConfigSource.DEFAULT_CONFIG));

        DescribeConfigsResourceResult maxMessage = entry(result, "max.message.bytes");
        assertThat(maxMessage.value()).isEqualTo("500000");
        assertThat(maxMessage.configSource()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG.id());
        assertThat(maxMessage.synonyms().get(0).name()).isEqualTo("message.max.bytes");

        DescribeConfigsResourceResult policy = entry(result, "cleanup.policy");
        assertThat(policy.value()).isEqualTo("compact");
        assertThat(policy.configType()).isEqualTo(ConfigType.LIST.id());

        DescribeConfigsResourceResult timestampType = entry(result, "message.timestamp.type");
        assertThat(timestampType.value()).isEqualTo("CreateTime");
        assertThat(timestampType.configSource()).isEqualTo(ConfigSource.DEFAULT_CONFIG.id());
        assertThat(timestampType.configType()).isEqualTo(ConfigType.STRING.id());
    }

    @Test
    void filtersRequestedKeysAndLeavesOutSynonymsAndDocumentationUnlessAsked() {
        DescribeConfigsResult result = send(
                        (short) 4,
                        false,
                        false,
                        resource(ConfigResource.Type.TOPIC, "orders", List.of("retention.ms", "segment.ms")))
                .results()
                .get(0);
        assertThat(result.configs())
                .extracting(DescribeConfigsResourceResult::name)
                .containsExactly("segment.ms", "retention.ms");
        assertThat(result.configs()).allMatch(c -> c.synonyms().isEmpty() && c.documentation() == null);
    }

    @Test
    void answersUnknownTopicsAndOtherNodesWithKafkasErrors() {
        DescribeConfigsResponseData response = send(
                (short) 4,
                false,
                false,
                resource(ConfigResource.Type.TOPIC, "missing", null),
                resource(ConfigResource.Type.BROKER, "2", null),
                resource(ConfigResource.Type.BROKER, "one", null),
                resource(ConfigResource.Type.CLIENT_METRICS, "m", null));

        List<DescribeConfigsResult> results = response.results();
        assertThat(results.get(0).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(results.get(0).errorMessage()).isEqualTo("The topic 'missing' does not exist.");
        assertThat(results.get(0).configs()).isEmpty();
        assertThat(results.get(1).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(results.get(1).errorMessage())
                .isEqualTo("Unexpected broker id, expected 1 or empty string, but received 2");
        assertThat(results.get(2).errorMessage()).isEqualTo("Broker id must be an integer, but it is: one");
        assertThat(results.get(3).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(results.get(3).errorMessage()).isEqualTo("Unsupported resource type: CLIENT_METRICS");
        assertThat(results.get(3).resourceType()).isEqualTo(ConfigResource.Type.CLIENT_METRICS.id());
    }

    @Test
    void describesThisBrokerWithLogDefaultsAndStaticKeys() {
        DescribeConfigsResult result = send((short) 4, true, false, resource(ConfigResource.Type.BROKER, "1", null))
                .results()
                .get(0);

        assertThat(result.errorCode()).isEqualTo(Errors.NONE.code());
        DescribeConfigsResourceResult retention = entry(result, "log.retention.ms");
        assertThat(retention.value()).isEqualTo("3600000");
        assertThat(retention.configSource()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG.id());
        assertThat(retention.readOnly()).isFalse();
        DescribeConfigsResourceResult segment = entry(result, "log.segment.bytes");
        assertThat(segment.value()).isEqualTo("2097152");
        assertThat(segment.configSource()).isEqualTo(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG.id());
        assertThat(entry(result, "message.max.bytes").value()).isEqualTo("500000");
        assertThat(entry(result, "min.insync.replicas").configSource()).isEqualTo(ConfigSource.DEFAULT_CONFIG.id());

        DescribeConfigsResourceResult nodeId = entry(result, "node.id");
        assertThat(nodeId.value()).isEqualTo("1");
        assertThat(nodeId.readOnly()).isTrue();
        assertThat(nodeId.configSource()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG.id());
        assertThat(entry(result, "broker.id").value()).isEqualTo("1");
        assertThat(entry(result, "log.dirs").value()).isEqualTo("/var/lib/varve/data");
        DescribeConfigsResourceResult partitions = entry(result, "num.partitions");
        assertThat(partitions.value()).isEqualTo("3");
        assertThat(partitions.configSource()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG.id());
        DescribeConfigsResourceResult replication = entry(result, "default.replication.factor");
        assertThat(replication.value()).isEqualTo("1");
        assertThat(replication.configSource()).isEqualTo(ConfigSource.DEFAULT_CONFIG.id());
        assertThat(entry(result, "auto.create.topics.enable").value()).isEqualTo("true");
        assertThat(entry(result, "socket.request.max.bytes").value()).isEqualTo("104857600");
    }

    @Test
    void describesTheLogCleanerSettingsUnderKafkasNames() {
        CleanerSettings cleaner = new CleanerSettings(
                true, 2, Duration.ofMillis(200), 128L << 20, 0.9, 1 << 20, 0, Duration.ofSeconds(10));
        DescribeConfigsHandler withCleaner = new DescribeConfigsHandler(LOG_DIR, cleaner);
        DescribeConfigsRequestData data = new DescribeConfigsRequestData()
                .setIncludeSynonyms(true)
                .setResources(List.of(resource(ConfigResource.Type.BROKER, "1", null)));
        DescribeConfigsResponseData response = body(withCleaner.handle(
                ctx.context(ApiKeys.DESCRIBE_CONFIGS, (short) 4),
                new DescribeConfigsRequest.Builder(data).build((short) 4)));
        DescribeConfigsResult result = response.results().get(0);

        DescribeConfigsResourceResult threads = entry(result, "log.cleaner.threads");
        assertThat(threads.value()).isEqualTo("2");
        assertThat(threads.configSource()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG.id());
        assertThat(threads.readOnly()).isTrue();
        assertThat(entry(result, "log.cleaner.backoff.ms").value()).isEqualTo("200");
        assertThat(entry(result, "log.cleaner.io.buffer.size").value()).isEqualTo("1048576");
        DescribeConfigsResourceResult dedupe = entry(result, "log.cleaner.dedupe.buffer.size");
        assertThat(dedupe.value()).isEqualTo("134217728");
        assertThat(dedupe.configSource()).isEqualTo(ConfigSource.DEFAULT_CONFIG.id());
        DescribeConfigsResourceResult io = entry(result, "log.cleaner.io.max.bytes.per.second");
        assertThat(io.value()).isEqualTo("1.7976931348623157E308");
        assertThat(io.configSource()).isEqualTo(ConfigSource.DEFAULT_CONFIG.id());
        assertThat(entry(result, "log.cleaner.enable").value()).isEqualTo("true");
        assertThat(entry(result, "log.cleaner.io.buffer.load.factor").value()).isEqualTo("0.9");
    }

    @Test
    void describesAutomaticLeaderRebalancingUnderKafkasNames() {
        DescribeConfigsHandler withBalance = new DescribeConfigsHandler(
                LOG_DIR,
                CleanerSettings.defaults(),
                new io.varve.metadata.ControllerSettings.LeaderBalanceSettings(false, 10, Duration.ofSeconds(30)));
        DescribeConfigsRequestData data = new DescribeConfigsRequestData()
                .setIncludeSynonyms(true)
                .setResources(List.of(resource(ConfigResource.Type.BROKER, "1", null)));
        DescribeConfigsResponseData response = body(withBalance.handle(
                ctx.context(ApiKeys.DESCRIBE_CONFIGS, (short) 4),
                new DescribeConfigsRequest.Builder(data).build((short) 4)));
        DescribeConfigsResult result = response.results().get(0);

        DescribeConfigsResourceResult enable = entry(result, "auto.leader.rebalance.enable");
        assertThat(enable.value()).isEqualTo("false");
        assertThat(enable.configSource()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG.id());
        assertThat(enable.readOnly()).isTrue();
        DescribeConfigsResourceResult percentage = entry(result, "leader.imbalance.per.broker.percentage");
        assertThat(percentage.value()).isEqualTo("10");
        assertThat(percentage.configSource()).isEqualTo(ConfigSource.DEFAULT_CONFIG.id());
        assertThat(entry(result, "leader.imbalance.check.interval.seconds").value())
                .isEqualTo("30");
    }

    @Test
    void describesTheClusterDefaultAsOnlyTheDynamicDefaults() {
        DescribeConfigsResult result = send((short) 4, false, false, resource(ConfigResource.Type.BROKER, "", null))
                .results()
                .get(0);
        assertThat(result.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(result.configs()).hasSize(1);
        DescribeConfigsResourceResult segment = result.configs().get(0);
        assertThat(segment.name()).isEqualTo("log.segment.bytes");
        assertThat(segment.value()).isEqualTo("2097152");
        assertThat(segment.configSource()).isEqualTo(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG.id());
        assertThat(segment.configType()).isEqualTo(ConfigType.INT.id());
    }

    /**
     * Kafka keeps a broker's own dynamic configs apart from the cluster level's and reports them with
     * their own source; a key of Kafka's table the request names has Kafka's default; a password or a
     * custom key is sensitive (no value shown).
     */
    @Test
    void describesPerBrokerAndClusterLevelDynamicConfigsWithTheirSources() {
        ctx = new AdminTestContext(
                KIT,
                AdminTestContext.image()
                        .brokerConfig("", "log.retention.ms", "7200000")
                        .brokerConfig("", "background.threads", "12")
                        .brokerConfig("1", "log.retention.ms", "3600000")
                        .brokerConfig("1", "sasl.kerberos.min.time.before.relogin", "58000")
                        .brokerConfig("1", "custom.setting", "x")
                        .build(),
                Map.of(),
                Duration.ofSeconds(5));
        DescribeConfigsResult node = send(
                        (short) 4,
                        true,
                        false,
                        resource(ConfigResource.Type.BROKER, "1", null),
                        resource(ConfigResource.Type.BROKER, "1", List.of("num.io.threads", "sasl.jaas.config")))
                .results()
                .get(0);
        DescribeConfigsResourceResult retention = entry(node, "log.retention.ms");
        assertThat(retention.value()).isEqualTo("3600000");
        assertThat(retention.configSource()).isEqualTo(ConfigSource.DYNAMIC_BROKER_CONFIG.id());
        assertThat(retention.synonyms())
                .extracting(DescribeConfigsSynonym::value, DescribeConfigsSynonym::source)
                .startsWith(
                        tuple("3600000", ConfigSource.DYNAMIC_BROKER_CONFIG.id()),
                        tuple("7200000", ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG.id()));
        DescribeConfigsResourceResult threads = entry(node, "background.threads");
        assertThat(threads.value()).isEqualTo("12");
        assertThat(threads.configSource()).isEqualTo(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG.id());
        assertThat(threads.readOnly()).isFalse();
        assertThat(entry(node, "sasl.kerberos.min.time.before.relogin").value()).isEqualTo("58000");
        DescribeConfigsResourceResult custom = entry(node, "custom.setting");
        assertThat(custom.isSensitive()).isTrue();
        assertThat(custom.value()).isNull();
        assertThat(custom.configSource()).isEqualTo(ConfigSource.DYNAMIC_BROKER_CONFIG.id());

        DescribeConfigsResult named = send(
                        (short) 4,
                        false,
                        false,
                        resource(ConfigResource.Type.BROKER, "1", List.of("num.io.threads", "sasl.jaas.config")))
                .results()
                .get(0);
        assertThat(named.configs())
                .extracting(
                        DescribeConfigsResourceResult::name,
                        DescribeConfigsResourceResult::value,
                        DescribeConfigsResourceResult::configSource,
                        DescribeConfigsResourceResult::readOnly,
                        DescribeConfigsResourceResult::isSensitive)
                .containsExactlyInAnyOrder(
                        tuple("num.io.threads", "8", ConfigSource.DEFAULT_CONFIG.id(), false, false),
                        tuple("sasl.jaas.config", null, ConfigSource.DEFAULT_CONFIG.id(), false, true));
    }
}
