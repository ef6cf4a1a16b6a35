package io.varve.partition.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReplicationQuotaTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final ReplicationQuota quota = new ReplicationQuota(nanos::get);

    private void advanceMs(long ms) {
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    @Test
    void unlimitedByDefaultAndNeverExceeded() {
        assertThat(quota.isUnlimited()).isTrue();
        quota.record(Long.MAX_VALUE / 2);
        assertThat(quota.isExceeded()).isFalse();
        assertThat(quota.delayMs()).isZero();
    }

    @Test
    void oneSecondOfBurstThenDebtIsWaitedOutAtTheRate() {
        quota.setRate(1_000_000);
        assertThat(quota.isExceeded()).isFalse();
        quota.record(1_500_000); // a 1.5 MB transfer goes through whole: 0.5 MB of debt
        assertThat(quota.isExceeded()).isTrue();
        assertThat(quota.delayMs()).isEqualTo(501);
        advanceMs(400);
        assertThat(quota.isExceeded()).isTrue();
        assertThat(quota.delayMs()).isEqualTo(101);
        advanceMs(101);
        assertThat(quota.isExceeded()).isFalse();
        assertThat(quota.delayMs()).isZero();
    }

    @Test
    void theCreditNeverGrowsBeyondOneSecondOfRate() {
        quota.setRate(1_000_000);
        advanceMs(60_000); // a long idle minute
        quota.record(1_000_000);
        assertThat(quota.isExceeded()).isTrue();
        advanceMs(1);
        assertThat(quota.isExceeded()).isFalse();
    }

    @Test
    void bytesRecordedOnlyWhenNotExceededAverageTheRate() {
        quota.setRate(1_000_000);
        long moved = 0;
        // a follower fetching 64 KiB whenever the quota allows, polled every 10 ms for 20 s
        for (int tick = 0; tick < 2_000; tick++) {
            if (!quota.isExceeded()) {
                quota.record(65_536);
                moved += 65_536;
            }
            advanceMs(10);
        }
        // 20 s at 1 MB/s plus the first second's burst, give or take one transfer
        assertThat(moved).isBetween(20_990_000L - 65_536, 20_990_000L + 65_536);
    }

    @Test
    void aLoweredRateCapsTheCreditAndARemovedOneLiftsTheLimit() {
        quota.setRate(10_000_000);
        quota.setRate(1_000);
        quota.record(1_000);
        assertThat(quota.isExceeded()).isTrue();
        assertThat(quota.delayMs()).isEqualTo(1);
        quota.record(1_000_000); // far in debt at 1 kB/s: the pause asked is capped
        assertThat(quota.delayMs()).isEqualTo(ReplicationQuota.MAX_DELAY_MS);
        quota.setRate(ReplicationQuota.UNLIMITED);
        assertThat(quota.isExceeded()).isFalse();
        assertThat(quota.delayMs()).isZero();
    }

    @Test
    void aZeroRateHoldsEverything() {
        quota.setRate(0);
        assertThat(quota.isExceeded()).isTrue();
        assertThat(quota.delayMs()).isEqualTo(ReplicationQuota.MAX_DELAY_MS);
    }
}
