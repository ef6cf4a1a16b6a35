package io.varve.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.varve.it.support.Clients;
import io.varve.it.support.VarveCluster;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigOp.OpType;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConfigEntry.ConfigSource;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GROUP config resources (KIP-848/932 group configs) through kafka-clients' Admin, as librdkafka's
 * 0081 and Kafka's {@code kafka-configs.sh --entity-type groups} use them: set, describe (value,
 * source, synonyms), delete, Kafka's refusals, and the configs surviving a restart of the node.
 */
class GroupConfigsIT {
    @TempDir
    static Path dataDir;

    private static VarveCluster cluster;
    private static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        cluster = VarveCluster.start(dataDir);
        admin = Clients.admin(cluster);
    }

    @AfterAll
    static void stop() {
        admin.close();
        cluster.close();
    }

    @Test
    void aGroupThatDoesNotExistHasEveryGroupConfigAtItsDefault() throws Exception {
        Config config = describe("never-joined");

        assertThat(config.entries()).hasSize(17);
        ConfigEntry session = config.get("consumer.session.timeout.ms");
        assertThat(session.value()).isEqualTo("45000");
        assertThat(session.source()).isEqualTo(ConfigSource.DEFAULT_CONFIG);
        assertThat(session.type()).isEqualTo(ConfigEntry.ConfigType.INT);
        assertThat(session.synonyms())
                .extracting(s -> s.name() + "=" + s.value() + "@" + s.source())
                .containsExactly("group.consumer.session.timeout.ms=45000@DEFAULT_CONFIG");
        assertThat(config.get("share.isolation.level").value()).isEqualTo("read_uncommitted");
        assertThat(config.get("streams.num.standby.replicas").value()).isEqualTo("0");
    }

    @Test
    void setDescribeAndDeleteAGroupsConfigs() throws Exception {
        alter(
                "my-group",
                new AlterConfigOp(new ConfigEntry("consumer.session.timeout.ms", "50000"), OpType.SET),
                new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "by_duration:PT1H"), OpType.SET));

        Config config = describe("my-group");
        ConfigEntry session = config.get("consumer.session.timeout.ms");
        assertThat(session.value()).isEqualTo("50000");
        assertThat(session.source()).isEqualTo(ConfigSource.DYNAMIC_GROUP_CONFIG);
        assertThat(session.synonyms())
                .extracting(s -> s.name() + "=" + s.value() + "@" + s.source())
                .containsExactly(
                        "consumer.session.timeout.ms=50000@DYNAMIC_GROUP_CONFIG",
                        "group.consumer.session.timeout.ms=45000@DEFAULT_CONFIG");
        assertThat(config.get("share.auto.offset.reset").value()).isEqualTo("by_duration:PT1H");
        assertThat(overrides("other-group")).isEmpty();

        alter("my-group", new AlterConfigOp(new ConfigEntry("consumer.session.timeout.ms", ""), OpType.DELETE));

        assertThat(overrides("my-group")).isEqualTo(Map.of("share.auto.offset.reset", "by_duration:PT1H"));
        assertThat(describe("my-group").get("consumer.session.timeout.ms").value())
                .isEqualTo("45000");
    }

    @Test
    void refusesWhatKafkaRefuses() {
        assertRefused(
                "g",
                "consumer.session.timeout.ms",
                "1000",
                InvalidConfigurationException.class,
                "consumer.session.timeout.ms must be greater than or equal to group.consumer.min.session.timeout.ms");
        assertRefused(
                "g",
                "consumer.heartbeat.interval.ms",
                "16000",
                InvalidConfigurationException.class,
                "consumer.heartbeat.interval.ms must be less than or equal to group.consumer.max.heartbeat.interval.ms");
        assertRefused("g", "foo.bar", "1", InvalidConfigurationException.class, "Unknown group config name: foo.bar");
        assertRefused(
                "g",
                "share.renew.acknowledge.enable",
                "maybe",
                InvalidConfigurationException.class,
                "Invalid value maybe for configuration share.renew.acknowledge.enable: Expected value to be either"
                        + " true or false");
        assertRefused(
                "",
                "consumer.session.timeout.ms",
                "50000",
                InvalidRequestException.class,
                "Default group resources are not allowed.");
        assertThatThrownBy(() -> describe(""))
                .hasCauseInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("Group name must not be empty");
    }

    @Test
    void validateOnlyStoresNothing() throws Exception {
        admin.incrementalAlterConfigs(
                        Map.of(
                                group("dry-run"),
                                List.of(new AlterConfigOp(
                                        new ConfigEntry("consumer.heartbeat.interval.ms", "6000"), OpType.SET))),
                        new org.apache.kafka.clients.admin.AlterConfigsOptions().validateOnly(true))
                .all()
                .get();

        assertThat(overrides("dry-run")).isEmpty();
    }

    @Test
    void groupConfigsSurviveARestart() throws Exception {
        alter("durable", new AlterConfigOp(new ConfigEntry("share.delivery.count.limit", "7"), OpType.SET));

        cluster.stopCleanly();
        cluster.startAgainOnSamePort();

        assertThat(overrides("durable")).isEqualTo(Map.of("share.delivery.count.limit", "7"));
    }

    private static void assertRefused(
            String group, String key, String value, Class<? extends Throwable> type, String message) {
        assertThatThrownBy(() -> alter(group, new AlterConfigOp(new ConfigEntry(key, value), OpType.SET)))
                .hasCauseInstanceOf(type)
                .cause()
                .hasMessage(message);
    }

    private static void alter(String group, AlterConfigOp... ops) throws Exception {
        admin.incrementalAlterConfigs(Map.of(group(group), List.of(ops))).all().get();
    }

    private static Config describe(String group) throws Exception {
        return admin.describeConfigs(List.of(group(group)), new DescribeConfigsOptions().includeSynonyms(true))
                .all()
                .get()
                .get(group(group));
    }

    private static Map<String, String> overrides(String group) throws Exception {
        return describe(group).entries().stream()
                .filter(e -> e.source() == ConfigSource.DYNAMIC_GROUP_CONFIG)
                .collect(Collectors.toMap(ConfigEntry::name, ConfigEntry::value));
    }

    private static ConfigResource group(String name) {
        return new ConfigResource(ConfigResource.Type.GROUP, name);
    }
}
