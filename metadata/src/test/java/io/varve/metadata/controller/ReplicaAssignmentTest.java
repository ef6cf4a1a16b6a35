package io.varve.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class ReplicaAssignmentTest {

    @Test
    void roundRobinStartsEachPartitionOneBrokerFurther() {
        assertThat(ReplicaAssignment.roundRobin(List.of(1, 2, 3), 1, 3, 3))
                .containsExactly(List.of(2, 3, 1), List.of(3, 1, 2), List.of(1, 2, 3));
    }

    @Test
    void manualAssignmentMustKeepOneReplicationFactor() {
        var checked = ReplicaAssignment.checkManual(List.of(List.of(1, 2), List.of(1)), 0, -1, Set.of(1, 2));

        assertThat(checked.error()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT);
        assertThat(checked.message())
                .isEqualTo(
                        "The manual partition assignment of partition 1 has 1 replica(s), but the other partitions have 2.");
    }

    @Test
    void manualAssignmentMustNotRepeatABroker() {
        var checked = ReplicaAssignment.checkManual(List.of(List.of(1, 1)), 4, 2, Set.of(1, 2));

        assertThat(checked.error()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT);
        assertThat(checked.message())
                .isEqualTo("The manual partition assignment of partition 4 includes broker 1 more than once.");
    }

    @Test
    void manualAssignmentMustCoverPartitionsWithoutGaps() {
        var checked = ReplicaAssignment.byIndex(Map.of(0, List.of(1), 2, List.of(1)));

        assertThat(checked.error()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT);
        assertThat(checked.message())
                .isEqualTo(
                        "The manual partition assignment covers partitions [0, 2], but must cover 0 to 1 without gaps.");
    }
}
