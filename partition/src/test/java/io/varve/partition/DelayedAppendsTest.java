package io.varve.partition;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DelayedAppendsTest {
    @Test
    void releasesAppendsTheHighWatermarkCoversInAppendOrder() {
        DelayedAppends<String> appends = new DelayedAppends<>();
        long first = appends.park(3, "a");
        long second = appends.park(5, "b");
        appends.park(9, "c");

        assertThat(appends.releaseUpTo(2)).isEmpty();
        assertThat(appends.releaseUpTo(5))
                .containsExactly(
                        new DelayedAppends.Parked<>(first, 3, "a"), new DelayedAppends.Parked<>(second, 5, "b"));
        assertThat(appends.size()).isEqualTo(1);
    }

    @Test
    void aTimedOutAppendIsRemovedOnceOnly() {
        DelayedAppends<String> appends = new DelayedAppends<>();
        long id = appends.park(3, "a");
        assertThat(appends.remove(id)).contains(new DelayedAppends.Parked<>(id, 3, "a"));
        assertThat(appends.remove(id)).isEmpty();
        assertThat(appends.releaseUpTo(10)).isEmpty();
    }

    @Test
    void drainReturnsEverythingAndEmpties() {
        DelayedAppends<String> appends = new DelayedAppends<>();
        appends.park(3, "a");
        appends.park(4, "b");
        assertThat(appends.drain()).extracting(DelayedAppends.Parked::waiter).containsExactly("a", "b");
        assertThat(appends.size()).isZero();
    }
}
