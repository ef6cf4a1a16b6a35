package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.protocol.Errors;

/**
 * DescribeConfigs v1+: a topic's override and defaults with their sources, synonyms (v1+), types and
 * documentation (v3+), one named key, this broker's configs, and Kafka's errors:
 * UNKNOWN_TOPIC_OR_PARTITION, INVALID_REQUEST for another broker's id; a group that need not exist
 * (every group config at its default, named after its broker config), INVALID_REQUEST for "".
 */
final class DescribeConfigsSweep implements VersionScenario {
    private static final byte INT_TYPE = 3;
    private static final byte LONG_TYPE = 5;

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String topic = name("describe-configs", version);
        sweep.admin()
                .createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("retention.ms", "3600000"))))
                .all()
                .get();

        DescribeConfigsResult all =
                Configs.describeResult(sweep, version, ConfigResource.Type.TOPIC, topic, null, true, true);
        assertThat(Errors.forCode(all.errorCode())).isEqualTo(Errors.NONE);
        DescribeConfigsResourceResult retention = find(all, "retention.ms");
        assertThat(retention.value()).isEqualTo("3600000");
        assertThat(retention.readOnly()).isFalse();
        assertThat(retention.isSensitive()).isFalse();
        assertThat(retention.configSource()).isEqualTo(Configs.TOPIC_CONFIG);
        assertThat(retention.synonyms()).isNotEmpty();
        assertThat(retention.synonyms().get(0).name()).isEqualTo("retention.ms");
        assertThat(retention.synonyms().get(0).value()).isEqualTo("3600000");
        assertThat(retention.synonyms().get(0).source()).isEqualTo(Configs.TOPIC_CONFIG);
        if (version >= 3) {
            assertThat(retention.configType()).isEqualTo(LONG_TYPE);
            assertThat(retention.documentation()).isNotBlank();
        }
        DescribeConfigsResourceResult cleanup = find(all, "cleanup.policy");
        assertThat(cleanup.value()).isEqualTo("delete");
        assertThat(cleanup.configSource()).isEqualTo(Configs.DEFAULT_CONFIG);

        DescribeConfigsResult one = Configs.describeResult(
                sweep, version, ConfigResource.Type.TOPIC, topic, List.of("retention.ms"), false, false);
        assertThat(one.configs())
                .extracting(DescribeConfigsResourceResult::name)
                .containsExactly("retention.ms");
        assertThat(one.configs().get(0).synonyms()).isEmpty();

        DescribeConfigsResult missing = Configs.describeResult(
                sweep,
                version,
                ConfigResource.Type.TOPIC,
                name("describe-configs-missing", version),
                null,
                false,
                false);
        assertThat(Errors.forCode(missing.errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);

        DescribeConfigsResult broker = Configs.describeResult(
                sweep,
                version,
                ConfigResource.Type.BROKER,
                String.valueOf(sweep.nodeId()),
                List.of("log.segment.bytes"),
                false,
                false);
        assertThat(Errors.forCode(broker.errorCode())).isEqualTo(Errors.NONE);
        assertThat(broker.configs())
                .extracting(DescribeConfigsResourceResult::name)
                .containsExactly("log.segment.bytes");
        assertThat(broker.configs().get(0).value()).isNotBlank();
        DescribeConfigsResult otherBroker =
                Configs.describeResult(sweep, version, ConfigResource.Type.BROKER, "7", null, false, false);
        assertThat(Errors.forCode(otherBroker.errorCode())).isEqualTo(Errors.INVALID_REQUEST);

        // any group, existing or not, has every group config at its default; "" is refused
        DescribeConfigsResult group = Configs.describeResult(
                sweep, version, ConfigResource.Type.GROUP, name("describe-configs-group", version), null, true, true);
        assertThat(Errors.forCode(group.errorCode())).isEqualTo(Errors.NONE);
        DescribeConfigsResourceResult session = find(group, "consumer.session.timeout.ms");
        assertThat(session.value()).isEqualTo("45000");
        assertThat(session.configSource()).isEqualTo(Configs.DEFAULT_CONFIG);
        assertThat(session.synonyms()).hasSize(1);
        assertThat(session.synonyms().get(0).name()).isEqualTo("group.consumer.session.timeout.ms");
        if (version >= 3) {
            assertThat(session.configType()).isEqualTo(INT_TYPE);
            assertThat(session.documentation()).isNotBlank();
        }
        assertThat(find(group, "share.auto.offset.reset").value()).isEqualTo("latest");
        DescribeConfigsResult noGroup =
                Configs.describeResult(sweep, version, ConfigResource.Type.GROUP, "", null, false, false);
        assertThat(Errors.forCode(noGroup.errorCode())).isEqualTo(Errors.INVALID_REQUEST);
    }

    private static DescribeConfigsResourceResult find(DescribeConfigsResult result, String key) {
        return result.configs().stream()
                .filter(c -> c.name().equals(key))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + key + " in " + result));
    }
}
