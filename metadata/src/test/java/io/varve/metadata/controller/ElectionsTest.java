package io.varve.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.controller.Elections.Election;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Kafka's election rules on single partitions (replicas 1, 2, 3 unless said otherwise). */
class ElectionsTest {
    private static PartitionRegistration partition(List<Integer> isr, int leader, int leaderEpoch, int partitionEpoch) {
        return new PartitionRegistration(0, List.of(1, 2, 3), isr, leader, leaderEpoch, partitionEpoch);
    }

    @Test
    void aFencedLeaderIsReplacedByTheFirstLiveIsrMemberInReplicaOrder() {
        PartitionRegistration p = partition(List.of(3, 1, 2), 1, 4, 7);

        Optional<Election> e = Elections.elect(p, Set.of(1), Set.of(2, 3), false);

        // replica order 1, 2, 3 decides, not the ISR's order
        assertThat(e.orElseThrow().registration()).isEqualTo(partition(List.of(3, 2), 2, 5, 8));
        assertThat(e.orElseThrow().unclean()).isFalse();
    }

    @Test
    void aFencedFollowerLeavesTheIsrAndOnlyThePartitionEpochMoves() {
        PartitionRegistration p = partition(List.of(1, 2, 3), 1, 4, 7);

        Election e = Elections.elect(p, Set.of(3), Set.of(1, 2), false).orElseThrow();

        assertThat(e.registration()).isEqualTo(partition(List.of(1, 2), 1, 4, 8));
    }

    @Test
    void theLastIsrMemberStaysAndThePartitionGoesOfflineWithoutUncleanElection() {
        PartitionRegistration p = partition(List.of(2), 2, 4, 7);

        Election e = Elections.elect(p, Set.of(2), Set.of(1, 3), false).orElseThrow();

        assertThat(e.registration()).isEqualTo(partition(List.of(2), -1, 5, 8));
    }

    @Test
    void whenEveryIsrMemberGoesAtOnceTheLastLeaderIsKept() {
        PartitionRegistration p = partition(List.of(1, 2, 3), 2, 4, 7);

        Election e = Elections.elect(p, Set.of(1, 2, 3), Set.of(), false).orElseThrow();

        assertThat(e.registration()).isEqualTo(partition(List.of(2), -1, 5, 8));
    }

    @Test
    void uncleanElectionPicksTheFirstLiveReplicaWithAnIsrOfItself() {
        PartitionRegistration p = partition(List.of(2), 2, 4, 7);

        Election e = Elections.elect(p, Set.of(2), Set.of(3), true).orElseThrow();

        assertThat(e.registration()).isEqualTo(partition(List.of(3), 3, 5, 8));
        assertThat(e.unclean()).isTrue();
    }

    @Test
    void anOfflinePartitionGetsItsLastIsrMemberBackAsLeaderWhenItReturns() {
        PartitionRegistration offline = partition(List.of(2), -1, 5, 8);

        assertThat(Elections.elect(offline, Set.of(), Set.of(1, 3), false)).isEmpty();
        Election e = Elections.elect(offline, Set.of(), Set.of(1, 2, 3), false).orElseThrow();

        assertThat(e.registration()).isEqualTo(partition(List.of(2), 2, 6, 9));
    }

    @Test
    void nothingChangesForALiveLeaderAndIsr() {
        PartitionRegistration p = partition(List.of(1, 2), 1, 4, 7);

        assertThat(Elections.elect(p, Set.of(), Set.of(1, 2, 3), true)).isEmpty();
    }
}
