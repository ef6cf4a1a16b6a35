package io.varve.partition;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FetchWaitersTest {
    @Test
    void releasesWaitersWhoseFetchOffsetIsNowReadable() {
        FetchWaiters<String> waiters = new FetchWaiters<>();
        waiters.add(5, "at5");
        waiters.add(3, "at3");
        waiters.add(8, "at8");

        assertThat(waiters.releaseBelow(3)).isEmpty();
        assertThat(waiters.releaseBelow(6)).containsExactly("at5", "at3");
        assertThat(waiters.size()).isEqualTo(1);
        assertThat(waiters.drain()).containsExactly("at8");
        assertThat(waiters.size()).isZero();
    }
}
