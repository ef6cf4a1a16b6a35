package io.varve.transport.api.admin.configs;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.storage.log.LogConfig;
import io.varve.storage.log.ThrottledReplicas;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BrokerConfigNamesTest {
    @Test
    void coversEveryTopicConfigButTheTopicOnlyThrottleListsInKafkasOrder() {
        List<String> topicOnly = List.of(ThrottledReplicas.LEADER_CONFIG, ThrottledReplicas.FOLLOWER_CONFIG);
        assertThat(BrokerConfigNames.topicNames())
                .isEqualTo(LogConfig.names().stream()
                        .filter(name -> !topicOnly.contains(name))
                        .toList());
        topicOnly.forEach(
                name -> assertThat(BrokerConfigNames.hasBrokerName(name)).isFalse());
        for (String name : BrokerConfigNames.topicNames()) {
            assertThat(BrokerConfigNames.hasBrokerName(name)).isTrue();
            assertThat(BrokerConfigNames.brokerName(name)).as(name).isNotBlank();
            assertThat(BrokerConfigNames.documentation(name)).as(name).isNotBlank();
            assertThat(BrokerConfigNames.topicName(BrokerConfigNames.brokerName(name)))
                    .contains(name);
        }
    }

    @Test
    void pairsTopicConfigsWithKafkasBrokerNames() {
        assertThat(BrokerConfigNames.brokerName("retention.ms")).isEqualTo("log.retention.ms");
        assertThat(BrokerConfigNames.brokerName("segment.bytes")).isEqualTo("log.segment.bytes");
        assertThat(BrokerConfigNames.brokerName("cleanup.policy")).isEqualTo("log.cleanup.policy");
        assertThat(BrokerConfigNames.brokerName("max.message.bytes")).isEqualTo("message.max.bytes");
        assertThat(BrokerConfigNames.brokerName("min.insync.replicas")).isEqualTo("min.insync.replicas");
        assertThat(BrokerConfigNames.brokerName("compression.type")).isEqualTo("compression.type");
        assertThat(BrokerConfigNames.brokerName("message.timestamp.type")).isEqualTo("log.message.timestamp.type");
        assertThat(BrokerConfigNames.brokerName("segment.ms")).isEqualTo("log.roll.ms");
        assertThat(BrokerConfigNames.brokerName("min.cleanable.dirty.ratio"))
                .isEqualTo("log.cleaner.min.cleanable.ratio");
        assertThat(BrokerConfigNames.topicName("num.partitions")).isEqualTo(Optional.empty());
    }

    @Test
    void mapsDynamicBrokerConfigsToTopicDefaults() {
        assertThat(BrokerConfigNames.topicDefaults(
                        Map.of("log.retention.ms", "1000", "message.max.bytes", "2048", "num.io.threads", "8")))
                .isEqualTo(Map.of("retention.ms", "1000", "max.message.bytes", "2048"));
    }
}
