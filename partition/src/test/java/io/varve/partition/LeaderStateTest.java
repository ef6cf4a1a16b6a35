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
}
