package io.varve.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LeaderStateTest {
    @Test
    void singleReplicaHighWatermarkFollowsTheLogEnd() {
        LeaderState state = new LeaderState(1, List.of(1), 10, 0);
        assertThat(state.highWatermark()).isEqualTo(10);
        assertThat(state.onLeaderLogEnd(15)).isTrue();
        assertThat(state.highWatermark()).isEqualTo(15);
    }

    @Test
    void highWatermarkIsTheSmallestLogEndOverTheIsr() {
        LeaderState state = new LeaderState(1, List.of(1, 2, 3), 120, 100);
        assertThat(state.highWatermark()).isEqualTo(100);

        assertThat(state.onFollowerLogEnd(2, 117)).isFalse();
        assertThat(state.highWatermark()).isEqualTo(100);
        assertThat(state.onFollowerLogEnd(3, 119)).isTrue();
        assertThat(state.highWatermark()).isEqualTo(117);
        assertThat(state.onFollowerLogEnd(2, 125)).isTrue();
        assertThat(state.highWatermark()).isEqualTo(119);
    }

    @Test
    void aFollowerOutsideTheIsrDoesNotHoldTheHighWatermark() {
        LeaderState state = new LeaderState(1, List.of(1, 2), 50, 0);
        state.onFollowerLogEnd(2, 50);
        state.onFollowerLogEnd(3, 5);
        assertThat(state.highWatermark()).isEqualTo(50);
        assertThat(state.logEndOffset(3)).hasValue(5);
    }

    @Test
    void shrinkingTheIsrLetsTheHighWatermarkAdvance() {
        LeaderState state = new LeaderState(1, List.of(1, 2), 40, 0);
        assertThat(state.highWatermark()).isZero();
        assertThat(state.onIsrChange(List.of(1))).isTrue();
        assertThat(state.highWatermark()).isEqualTo(40);
        assertThat(state.isr()).containsExactly(1);
    }

    @Test
    void highWatermarkNeverMovesBackwards() {
        LeaderState state = new LeaderState(1, List.of(1, 2), 40, 30);
        state.onFollowerLogEnd(2, 35);
        assertThat(state.highWatermark()).isEqualTo(35);
        assertThat(state.onFollowerLogEnd(2, 20)).isFalse();
        assertThat(state.onIsrChange(List.of(1, 2, 3))).isFalse();
        assertThat(state.highWatermark()).isEqualTo(35);
    }

    @Test
    void theLeaderStaysInItsOwnIsr() {
        LeaderState state = new LeaderState(1, List.of(2), 10, 0);
        assertThat(state.isr()).containsExactly(2, 1);
        state.onIsrChange(List.of(3));
        assertThat(state.isrSize()).isEqualTo(2);
    }

    @Test
    void aFollowerIsCaughtUpWhenItFetchedTheLeadersLogEndAsOfThatFetchOrThePreviousOne() {
        LeaderState state = new LeaderState(1, List.of(1, 2, 3), 100, 100, 1_000);
        // follower 2 fetches at the leader's LEO at 2_000: caught up then
        state.onFollowerFetch(2, 100, 7L, 2_000);
        state.onLeaderLogEnd(150);
        // at 3_000 it fetches 100, the leader's LEO as of its previous fetch: caught up as of 2_000
        state.onFollowerFetch(2, 100, 7L, 3_000);
        // follower 3 never fetched: caught up only as of the leader's start (1_000)

        assertThat(state.outOfSync(10_000, 8_500)).containsExactly(3);
        assertThat(state.outOfSync(10_000, 7_500)).containsExactly(2, 3);
        assertThat(state.outOfSync(10_000, 9_000)).isEmpty();
        assertThat(state.brokerEpoch(2)).isEqualTo(7L);
    }

    @Test
    void aFollowerAtTheLeadersLogEndIsNeverOutOfSync() {
        LeaderState state = new LeaderState(1, List.of(1, 2), 100, 100, 0);
        state.onFollowerFetch(2, 100, 1L, 0);

        assertThat(state.outOfSync(1_000_000, 10)).isEmpty();
    }

    @Test
    void aJoiningFollowerHoldsTheHighWatermarkWhileItsExpansionIsInFlight() {
        LeaderState state = new LeaderState(1, List.of(1), 50, 50, 0);
        state.onFollowerFetch(2, 50, 1L, 0);
        assertThat(state.isReadyToJoin(2, 40)).isTrue();
        assertThat(state.isReadyToJoin(2, 60)).isFalse();
        state.pendingAddition(2);

        assertThat(state.onLeaderLogEnd(60)).isFalse();
        assertThat(state.highWatermark()).isEqualTo(50);
        assertThat(state.onIsrChange(List.of(1, 2))).isFalse();
        assertThat(state.onFollowerFetch(2, 60, 1L, 10)).isTrue();
        assertThat(state.highWatermark()).isEqualTo(60);
        assertThat(state.isReadyToJoin(2, 0)).isFalse();
    }
}
