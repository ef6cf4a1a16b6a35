package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicCollection;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfigCollection;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreateTopicsResponse;

/**
 * CreateTopics v2+: a topic with a config override (its partitions, replication factor and configs
 * in the answer from v5, its id from v7), validate-only (nothing created), the broker's defaults for
 * -1 partitions and replication factor (v4+, KIP-464), and Kafka's errors: TOPIC_ALREADY_EXISTS,
 * INVALID_REPLICATION_FACTOR, INVALID_PARTITIONS, INVALID_CONFIG, INVALID_TOPIC_EXCEPTION.
 */
final class CreateTopicsSweep implements VersionScenario {

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String topic = name("create", version);
        CreatableTopicResult created =
                create(sweep, version, false, topic(topic, 3, (short) 1, "retention.ms", "3600000"));
        assertThat(Errors.forCode(created.errorCode())).as("%s", created).isEqualTo(Errors.NONE);
        Uuid topicId = sweep.topicId(topic);
        if (version >= 5) {
            assertThat(created.numPartitions()).isEqualTo(3);
            assertThat(created.replicationFactor()).isEqualTo((short) 1);
            CreatableTopicConfigs retention = created.configs().stream()
                    .filter(c -> c.name().equals("retention.ms"))
                    .findFirst()
                    .orElseThrow();
            assertThat(retention.value()).isEqualTo("3600000");
            assertThat(retention.configSource()).isEqualTo((byte) 1); // DYNAMIC_TOPIC_CONFIG
        } else {
            assertThat(created.numPartitions()).isEqualTo(-1);
            assertThat(created.configs()).isNullOrEmpty();
        }
        assertThat(created.topicId()).isEqualTo(version >= 7 ? topicId : Uuid.ZERO_UUID);

        String validated = name("create-validate", version);
        assertThat(Errors.forCode(create(sweep, version, true, topic(validated, 2, (short) 1))
                        .errorCode()))
                .isEqualTo(Errors.NONE);
        assertThat(sweep.admin().listTopics().names().get()).doesNotContain(validated);

        if (version >= 4) {
            String defaults = name("create-defaults", version);
            CreatableTopicResult answer = create(sweep, version, false, topic(defaults, -1, (short) -1));
            assertThat(Errors.forCode(answer.errorCode())).isEqualTo(Errors.NONE);
            assertThat(sweep.awaitPartitionCount(defaults, 1)).isEqualTo(1);
        }

        assertError(create(sweep, version, false, topic(topic, 3, (short) 1)), Errors.TOPIC_ALREADY_EXISTS);
        assertError(
                create(sweep, version, false, topic(name("create-rf", version), 1, (short) 3)),
                Errors.INVALID_REPLICATION_FACTOR);
        assertError(
                create(sweep, version, false, topic(name("create-zero", version), 0, (short) 1)),
                Errors.INVALID_PARTITIONS);
        assertError(
                create(
                        sweep,
                        version,
                        false,
                        topic(name("create-bad-config", version), 1, (short) 1, "retention.ms", "soon")),
                Errors.INVALID_CONFIG);
        assertError(
                create(
                        sweep,
                        version,
                        false,
                        topic(name("create-unknown-config", version), 1, (short) 1, "no.such.config", "1")),
                Errors.INVALID_CONFIG);
        assertError(
                create(sweep, version, false, topic("illegal name!", 1, (short) 1)), Errors.INVALID_TOPIC_EXCEPTION);
    }

    static CreatableTopic topic(String name, int partitions, short replicationFactor, String... configs) {
        CreatableTopicConfigCollection topicConfigs = new CreatableTopicConfigCollection();
        for (int i = 0; i < configs.length; i += 2) {
            topicConfigs.add(new CreatableTopicConfig().setName(configs[i]).setValue(configs[i + 1]));
        }
        return new CreatableTopic()
                .setName(name)
                .setNumPartitions(partitions)
                .setReplicationFactor(replicationFactor)
                .setConfigs(topicConfigs);
    }

    private static CreatableTopicResult create(
            SweepContext sweep, short version, boolean validateOnly, CreatableTopic topic) throws Exception {
        CreatableTopicCollection topics = new CreatableTopicCollection();
        topics.add(topic);
        CreateTopicsResponse answer = sweep.client()
                .send(
                        ApiKeys.CREATE_TOPICS,
                        version,
                        new CreateTopicsRequestData()
                                .setTopics(topics)
                                .setTimeoutMs(30_000)
                                .setValidateOnly(validateOnly));
        List<CreatableTopicResult> results = List.copyOf(answer.data().topics());
        assertThat(results).hasSize(1);
        assertThat(results.get(0).name()).isEqualTo(topic.name());
        return results.get(0);
    }

    private static void assertError(CreatableTopicResult answer, Errors error) {
        assertThat(Errors.forCode(answer.errorCode())).as("%s", answer).isEqualTo(error);
        assertThat(answer.errorMessage()).isNotBlank();
    }
}
