package io.varve.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FetchWaitersTest {
    @Test
    void releasesWaitersWhoseFetchOffsetIsNowReadable() {
        FetchWaiters<String> waiters = new FetchWaiters<>();
        waiters.add(5, 500, "at5");
        waiters.add(3, 500, "at3");
        waiters.add(8, 500, "at8");

        assertThat(waiters.releaseBelow(3)).isEmpty();
        assertThat(waiters.releaseBelow(6)).containsExactly("at5", "at3");
        assertThat(waiters.size()).isEqualTo(1);
        assertThat(waiters.drain()).containsExactly("at8");
        assertThat(waiters.size()).isZero();
    }

    @Test
    void removesWaitersWhoseFetchCompletedElsewhere() {
        FetchWaiters<String> waiters = new FetchWaiters<>();
        waiters.add(5, 500, "done");
        waiters.add(5, 500, "live");
        assertThat(waiters.removeAbandoned(Set.of("done")::contains)).isEqualTo(1);
        assertThat(waiters.releaseBelow(6)).containsExactly("live");
    }

    @Test
    void aSweepDropsAbandonedWaitersAndExpiresTheOthersAtTheNextSweep() {
        FetchWaiters<String> waiters = new FetchWaiters<>();
        waiters.add(5, 500, "done");
        waiters.add(5, 300, "short");
        waiters.add(5, 800, "long");

        // the next sweep comes after the longest max wait left, so whatever it sees again has expired
        assertThat(waiters.sweep(Set.of("done")::contains)).isEqualTo(OptionalInt.of(800));
        assertThat(waiters.size()).isEqualTo(2);
        waiters.add(5, 100, "later");
        assertThat(waiters.sweep(w -> false)).isEqualTo(OptionalInt.of(100));
        assertThat(waiters.drain()).containsExactly("later");
        assertThat(waiters.sweep(w -> false)).isEmpty();
    }
}
