package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterConfigsResourceCollection;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterableConfigCollection;
import org.apache.kafka.common.message.AlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterConfigsResponse;

/**
 * The legacy AlterConfigs v0+ (what librdkafka's AlterConfigs sends): a topic's overrides replaced
 * as a whole, validate-only, INVALID_CONFIG for a bad value, UNKNOWN_TOPIC_OR_PARTITION; dynamic
 * broker configs as Kafka takes them (librdkafka 0081): a per-broker config for this broker's id, an
 * unknown key kept as given, INVALID_REQUEST for a read-only config, a value of the wrong type, a
 * per-broker config at the cluster level ("") or another broker's id. (The legacy request replaces
 * the cluster level's whole set, which Kafka 4 refuses while it holds min.insync.replicas: the cluster
 * level is swept with IncrementalAlterConfigs.) A group's configs: replaced, INVALID_CONFIG for a bad
 * value, INVALID_REQUEST for "".
 */
final class AlterConfigsSweep implements VersionScenario {
    private static final String RELOGIN = "sasl.kerberos.min.time.before.relogin";

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String topic = name("alter-configs", version);
        sweep.createTopic(topic, 1);
        ConfigResource.Type t = ConfigResource.Type.TOPIC;
        ConfigResource.Type b = ConfigResource.Type.BROKER;
        String self = String.valueOf(sweep.nodeId());

        assertThat(alter(sweep, version, false, t, topic, "retention.ms", "7200000", "flush.ms", "12345678"))
                .isEqualTo(Errors.NONE);
        Configs.awaitConfig(sweep, t, topic, "retention.ms", "7200000@" + Configs.TOPIC_CONFIG);
        assertThat(alter(sweep, version, true, t, topic, "retention.ms", "1")).isEqualTo(Errors.NONE);
        Configs.awaitConfig(sweep, t, topic, "retention.ms", "7200000@" + Configs.TOPIC_CONFIG);
        // legacy semantics: what the request leaves out returns to its default
        assertThat(alter(sweep, version, false, t, topic, "flush.ms", "12345678"))
                .isEqualTo(Errors.NONE);
        Configs.awaitConfig(sweep, t, topic, "retention.ms", "604800000@" + Configs.DEFAULT_CONFIG);
        assertThat(alter(sweep, version, false, t, topic, "retention.ms", "soon"))
                .isEqualTo(Errors.INVALID_CONFIG);
        assertThat(alter(sweep, version, false, t, name("alter-configs-missing", version), "retention.ms", "1"))
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);

        assertThat(alter(sweep, version, false, b, self, RELOGIN, "58000")).isEqualTo(Errors.NONE);
        Configs.awaitConfig(sweep, b, self, RELOGIN, "58000@" + Configs.DYNAMIC_BROKER_CONFIG);
        assertThat(alter(sweep, version, false, b, self)).isEqualTo(Errors.NONE);
        assertThat(alter(sweep, version, false, b, self, "log.dirs", "/elsewhere"))
                .isEqualTo(Errors.INVALID_REQUEST);
        assertThat(alter(sweep, version, false, b, "", RELOGIN, "58000")).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(alter(sweep, version, false, b, self, "background.threads", "many"))
                .isEqualTo(Errors.INVALID_REQUEST);
        // an unknown key is kept as a custom config, as Kafka does
        assertThat(alter(sweep, version, false, b, self, "custom.setting", "5")).isEqualTo(Errors.NONE);
        assertThat(alter(sweep, version, false, b, self)).isEqualTo(Errors.NONE);
        assertThat(alter(sweep, version, false, b, "7", RELOGIN, "58000")).isEqualTo(Errors.INVALID_REQUEST);

        // a group's configs replaced as a whole, as Kafka takes them here too
        ConfigResource.Type g = ConfigResource.Type.GROUP;
        String group = name("alter-configs-group", version);
        assertThat(alter(sweep, version, false, g, group, "consumer.heartbeat.interval.ms", "6000"))
                .isEqualTo(Errors.NONE);
        Configs.awaitConfig(sweep, g, group, "consumer.heartbeat.interval.ms", "6000@" + Configs.GROUP_CONFIG);
        assertThat(alter(sweep, version, false, g, group, "share.isolation.level", "read_committed"))
                .isEqualTo(Errors.NONE);
        Configs.awaitConfig(sweep, g, group, "consumer.heartbeat.interval.ms", "5000@" + Configs.DEFAULT_CONFIG);
        assertThat(alter(sweep, version, false, g, group, "share.isolation.level", "sometimes"))
                .isEqualTo(Errors.INVALID_CONFIG);
        assertThat(alter(sweep, version, false, g, "", "share.isolation.level", "read_committed"))
                .isEqualTo(Errors.INVALID_REQUEST);
    }

    /** Replaces the resource's configs with {@code keyValues}; the one error answered. */
    private static Errors alter(
            SweepContext sweep,
            short version,
            boolean validateOnly,
            ConfigResource.Type type,
            String name,
            String... keyValues)
            throws Exception {
        AlterableConfigCollection configs = new AlterableConfigCollection();
        for (int i = 0; i < keyValues.length; i += 2) {
            configs.add(new AlterableConfig().setName(keyValues[i]).setValue(keyValues[i + 1]));
        }
        AlterConfigsResourceCollection resources = new AlterConfigsResourceCollection();
        resources.add(new AlterConfigsResource()
                .setResourceType(type.id())
                .setResourceName(name)
                .setConfigs(configs));
        AlterConfigsResponse answer = sweep.client()
                .send(
                        ApiKeys.ALTER_CONFIGS,
                        version,
                        new AlterConfigsRequestData().setResources(resources).setValidateOnly(validateOnly));
        List<AlterConfigsResourceResponse> responses = answer.data().responses();
        assertThat(responses).hasSize(1);
        assertThat(responses.get(0).resourceName()).isEqualTo(name);
        return Errors.forCode(responses.get(0).errorCode());
    }
}
