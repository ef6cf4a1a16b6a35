package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.clients.admin.AlterConfigOp.OpType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfigCollection;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.IncrementalAlterConfigsResponse;

/**
 * IncrementalAlterConfigs v0+: SET, APPEND, SUBTRACT and DELETE on a topic and on this broker (the
 * keys librdkafka 0081 uses), a cluster-level default a topic then takes, and Kafka's errors:
 * INVALID_CONFIG for APPEND to a config that is not a list, UNKNOWN_TOPIC_OR_PARTITION,
 * INVALID_REQUEST for a read-only broker config or a per-broker one at the cluster level; a group's
 * configs (SET, DELETE; out of the broker's bounds, unknown or APPEND: INVALID_CONFIG; "": INVALID_REQUEST).
 */
final class IncrementalAlterConfigsSweep implements VersionScenario {

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String topic = name("incremental", version);
        sweep.createTopic(topic, 1);
        ConfigResource.Type t = ConfigResource.Type.TOPIC;
        ConfigResource.Type b = ConfigResource.Type.BROKER;
        String self = String.valueOf(sweep.nodeId());

        assertThat(alter(
                        sweep,
                        version,
                        t,
                        topic,
                        op(OpType.SET, "retention.ms", "7200000"),
                        op(OpType.APPEND, "cleanup.policy", "compact")))
                .isEqualTo(Errors.NONE);
        Configs.awaitConfig(sweep, t, topic, "retention.ms", "7200000@" + Configs.TOPIC_CONFIG);
        Configs.awaitConfig(sweep, t, topic, "cleanup.policy", "delete,compact@" + Configs.TOPIC_CONFIG);
        assertThat(alter(
                        sweep,
                        version,
                        t,
                        topic,
                        op(OpType.DELETE, "retention.ms", null),
                        op(OpType.SUBTRACT, "cleanup.policy", "compact")))
                .isEqualTo(Errors.NONE);
        Configs.awaitConfig(sweep, t, topic, "retention.ms", "604800000@" + Configs.DEFAULT_CONFIG);
        Configs.awaitConfig(sweep, t, topic, "cleanup.policy", "delete@" + Configs.TOPIC_CONFIG);
        assertThat(alter(sweep, version, t, topic, op(OpType.APPEND, "retention.ms", "1")))
                .isEqualTo(Errors.INVALID_CONFIG);
        assertThat(alter(sweep, version, t, name("incremental-missing", version), op(OpType.SET, "retention.ms", "1")))
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);

        assertThat(alter(
                        sweep,
                        version,
                        b,
                        self,
                        op(OpType.SET, "background.threads", "9"),
                        op(OpType.SET, "sasl.kerberos.min.time.before.relogin", "58000")))
                .isEqualTo(Errors.NONE);
        Configs.awaitConfig(sweep, b, self, "background.threads", "9@" + Configs.DYNAMIC_BROKER_CONFIG);
        assertThat(alter(
                        sweep,
                        version,
                        b,
                        self,
                        op(OpType.DELETE, "background.threads", null),
                        op(OpType.DELETE, "sasl.kerberos.min.time.before.relogin", null)))
                .isEqualTo(Errors.NONE);
        Configs.awaitConfig(sweep, b, self, "background.threads", "10@" + Configs.DEFAULT_CONFIG);
        assertThat(alter(sweep, version, b, self, op(OpType.SET, "log.dirs", "/elsewhere")))
                .isEqualTo(Errors.INVALID_REQUEST);

        // the cluster level: a default every broker takes unless it has its own
        assertThat(alter(sweep, version, b, "", op(OpType.SET, "log.retention.ms", "3600000")))
                .isEqualTo(Errors.NONE);
        Configs.awaitConfig(sweep, b, self, "log.retention.ms", "3600000@" + Configs.DYNAMIC_DEFAULT_BROKER_CONFIG);
        Configs.awaitConfig(sweep, t, topic, "retention.ms", "3600000@" + Configs.DYNAMIC_DEFAULT_BROKER_CONFIG);
        assertThat(alter(sweep, version, b, "", op(OpType.DELETE, "log.retention.ms", null)))
                .isEqualTo(Errors.NONE);
        Configs.awaitConfig(sweep, t, topic, "retention.ms", "604800000@" + Configs.DEFAULT_CONFIG);
        assertThat(alter(sweep, version, b, "", op(OpType.SET, "sasl.kerberos.min.time.before.relogin", "1")))
                .isEqualTo(Errors.INVALID_REQUEST);

        // a group's configs (KIP-848), for a group that need not exist; "" is no group
        ConfigResource.Type g = ConfigResource.Type.GROUP;
        String group = name("incremental-group", version);
        assertThat(alter(sweep, version, g, group, op(OpType.SET, "consumer.session.timeout.ms", "50000")))
                .isEqualTo(Errors.NONE);
        Configs.awaitConfig(sweep, g, group, "consumer.session.timeout.ms", "50000@" + Configs.GROUP_CONFIG);
        assertThat(alter(sweep, version, g, group, op(OpType.DELETE, "consumer.session.timeout.ms", null)))
                .isEqualTo(Errors.NONE);
        Configs.awaitConfig(sweep, g, group, "consumer.session.timeout.ms", "45000@" + Configs.DEFAULT_CONFIG);
        assertThat(alter(sweep, version, g, group, op(OpType.SET, "consumer.session.timeout.ms", "1000")))
                .isEqualTo(Errors.INVALID_CONFIG);
        assertThat(alter(sweep, version, g, group, op(OpType.SET, "no.such.group.config", "1")))
                .isEqualTo(Errors.INVALID_CONFIG);
        assertThat(alter(sweep, version, g, group, op(OpType.APPEND, "share.isolation.level", "read_committed")))
                .isEqualTo(Errors.INVALID_CONFIG);
        assertThat(alter(sweep, version, g, "", op(OpType.SET, "consumer.session.timeout.ms", "50000")))
                .isEqualTo(Errors.INVALID_REQUEST);
    }

    private static AlterableConfig op(OpType type, String key, String value) {
        return new AlterableConfig().setName(key).setConfigOperation(type.id()).setValue(value);
    }

    private static Errors alter(
            SweepContext sweep, short version, ConfigResource.Type type, String name, AlterableConfig... ops)
            throws Exception {
        AlterableConfigCollection configs = new AlterableConfigCollection();
        for (AlterableConfig config : ops) {
            configs.add(config);
        }
        AlterConfigsResourceCollection resources = new AlterConfigsResourceCollection();
        resources.add(new AlterConfigsResource()
                .setResourceType(type.id())
                .setResourceName(name)
                .setConfigs(configs));
        IncrementalAlterConfigsResponse answer = sweep.client()
                .send(
                        ApiKeys.INCREMENTAL_ALTER_CONFIGS,
                        version,
                        new IncrementalAlterConfigsRequestData().setResources(resources));
        List<AlterConfigsResourceResponse> responses = answer.data().responses();
        assertThat(responses).hasSize(1);
        return Errors.forCode(responses.get(0).errorCode());
    }
}
