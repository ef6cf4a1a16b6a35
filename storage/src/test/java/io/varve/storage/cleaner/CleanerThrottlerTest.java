package io.varve.storage.cleaner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CleanerThrottlerTest {
    private long nowNs;
    private final List<Long> sleeps = new ArrayList<>();

    private CleanerThrottler throttler(double bytesPerSecond) {
        return new CleanerThrottler(bytesPerSecond, () -> nowNs, ns -> {
            sleeps.add(ns);
            nowNs += ns;
        });
    }

    @Test
    void sleepsAsLongAsItTakesToBringTheRateBackToTheLimit() throws Exception {
        CleanerThrottler throttler = throttler(1_000_000); // 1 MB/s
        nowNs += TimeUnit.MILLISECONDS.toNanos(100);
        throttler.maybeThrottle(500_000); // 0.5 MB in 100 ms: must have taken 500 ms

        assertThat(sleeps).containsExactly(TimeUnit.MILLISECONDS.toNanos(400));
        assertThat(throttler.throttledMs()).isEqualTo(400);
    }

    @Test
    void doesNotSleepUnderTheLimitNorBeforeACheckInterval() throws Exception {
        CleanerThrottler throttler = throttler(1_000_000);
        throttler.maybeThrottle(900_000); // no time passed: not checked yet
        nowNs += TimeUnit.SECONDS.toNanos(1);
        throttler.maybeThrottle(50_000); // 0.95 MB in 1 s

        assertThat(sleeps).isEmpty();
    }

    @Test
    void kafkasDefaultNeverSleeps() throws Exception {
        CleanerThrottler throttler = throttler(Double.MAX_VALUE);
        nowNs += TimeUnit.SECONDS.toNanos(1);
        throttler.maybeThrottle(Long.MAX_VALUE / 2);

        assertThat(throttler.isUnlimited()).isTrue();
        assertThat(sleeps).isEmpty();
    }
}
