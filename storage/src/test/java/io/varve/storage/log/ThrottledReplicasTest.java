package io.varve.storage.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class ThrottledReplicasTest {

    @Test
    void aListNamesExactlyItsPartitionBrokerPairs() {
        String value = "0:1, 0:2,3:10";
        assertThat(ThrottledReplicas.includes(value, 0, 1)).isTrue();
        assertThat(ThrottledReplicas.includes(value, 0, 2)).isTrue();
        assertThat(ThrottledReplicas.includes(value, 3, 10)).isTrue();
        assertThat(ThrottledReplicas.includes(value, 3, 1)).isFalse();
        assertThat(ThrottledReplicas.includes(value, 1, 0)).isFalse();
        assertThat(ThrottledReplicas.includes(value, 0, 10)).isFalse();
    }

    @Test
    void theWildcardNamesEveryReplicaAndEmptyNamesNone() {
        assertThat(ThrottledReplicas.includes("*", 7, 3)).isTrue();
        assertThat(ThrottledReplicas.includes("", 0, 1)).isFalse();
        assertThat(ThrottledReplicas.includes(null, 0, 1)).isFalse();
    }

    @Test
    void logConfigAcceptsKafkasFormsAndRefusesOthers() {
        LogConfig config = LogConfig.fromMap(Map.of(
                ThrottledReplicas.LEADER_CONFIG, "0:1,0:2",
                ThrottledReplicas.FOLLOWER_CONFIG, "*"));
        assertThat(config.values().get(ThrottledReplicas.LEADER_CONFIG)).isEqualTo(List.of("0:1", "0:2"));
        assertThat(LogConfig.defaultValueString(ThrottledReplicas.FOLLOWER_CONFIG))
                .isEmpty();
        assertThatThrownBy(() -> LogConfig.fromMap(Map.of(ThrottledReplicas.LEADER_CONFIG, "0:1,x")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Invalid value [0:1, x] for configuration leader.replication.throttled.replicas: "
                        + "leader.replication.throttled.replicas must be '*' or a list of replicas as "
                        + "partitionId:brokerId,partitionId:brokerId,...");
        assertThatThrownBy(() -> LogConfig.fromMap(Map.of(ThrottledReplicas.FOLLOWER_CONFIG, "*,0:1")))
                .isInstanceOf(ConfigException.class);
    }
}
