package io.varve.storage.cleaner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole cleaning's figures, as its summary line states them, and the I/O limit applied to a real
 * cleaning: the same records come out, and the cleaner thread slept at least as long as its bytes take at
 * the limit (measured on a clock the test moves, so the assertion does not depend on the machine).
 */
class CleanerStatsTest {
    private static final String VALUE = "v".repeat(1000);

    @TempDir
    Path root;

    /** 10 keys written 20 times each, one batch per round, one segment per 5 rounds, then a tail record. */
    private CompactedLog dirtyLog() throws Exception {
        CompactedLog c = new CompactedLog(root).open();
        for (int round = 0; round < 20; round++) {
            List<String> pairs = new ArrayList<>();
            for (int k = 0; k < 10; k++) {
                pairs.add("k" + k + "=" + round + VALUE);
            }
            c.put(pairs.toArray(String[]::new));
            if (round % 5 == 4) {
                c.roll();
            }
        }
        c.put("tail=1"); // 200, active segment
        return c;
    }

    private static List<String> latestValues() {
        List<String> expected = new ArrayList<>();
        for (int k = 0; k < 10; k++) {
            expected.add((190 + k) + ":k" + k + "=19" + VALUE);
        }
        expected.add("200:tail=1");
        return expected;
    }

    @Test
    void theSummaryStatesRecordsKeysSegmentsAndSizesOfTheCleaning() throws Exception {
        CompactedLog c = dirtyLog();
        long closedBytes =
                c.log.segments().subList(0, 4).stream().mapToLong(s -> s.size()).sum();

        CleaningResult result = c.clean(CompactedLog.cleaner(), CleanableRange.NO_CHECKPOINT);

        assertThat(c.records()).containsExactlyElementsOf(latestValues());
        CleanerStats stats = result.stats();
        assertThat(stats.recordsRead()).isEqualTo(200);
        assertThat(stats.recordsWritten()).isEqualTo(10);
        assertThat(stats.keysMapped()).isEqualTo(10);
        assertThat(stats.keylessRecords()).isZero();
        assertThat(stats.bytesRead()).isEqualTo(closedBytes);
        assertThat(stats.mapBytesRead()).as("every closed segment was dirty").isEqualTo(closedBytes);
        assertThat(stats.bytesWritten())
                .isEqualTo(c.log.segments().get(0).size())
                .isLessThan(stats.bytesRead() / 15);
        assertThat(stats.summary())
                .contains(String.format(java.util.Locale.ROOT, "%.1f MB of log processed", stats.bytesRead() / 1e6))
                .contains("200 records, 10 keys")
                .contains("rewrite 4 -> 1 segments")
                .contains("(200 -> 10 records, 0 without a key, 19 batches dropped unread)")
                .endsWith("throttled 0 ms");
    }

    @Test
    void theIoLimitSlowsTheCleanerToItsRateAndChangesNothingElse() throws Exception {
        CompactedLog c = dirtyLog();
        long[] nowNs = {0};
        List<Long> sleeps = new ArrayList<>();
        double bytesPerSecond = 100_000;
        // every look at the clock is 100 ms later: each read or write is checked against the limit on its own
        CleanerThrottler throttler =
                new CleanerThrottler(bytesPerSecond, () -> nowNs[0] += TimeUnit.MILLISECONDS.toNanos(100), ns -> {
                    sleeps.add(ns);
                    nowNs[0] += ns;
                });
        Cleaner limited = new Cleaner(128L << 20, 0.9, 64 * 1024, 1024 * 1024, throttler);

        CleaningResult result = c.clean(limited, CleanableRange.NO_CHECKPOINT);

        assertThat(c.records()).containsExactlyElementsOf(latestValues());
        CleanerStats stats = result.stats();
        long bytes = stats.mapBytesRead() + stats.bytesRead() + stats.bytesWritten();
        assertThat(nowNs[0])
                .as("time the cleaning took at 100 KB/s for %d bytes", bytes)
                .isGreaterThanOrEqualTo((long) (bytes / bytesPerSecond * 1e9));
        assertThat(sleeps).isNotEmpty();
        long sleptMs = TimeUnit.NANOSECONDS.toMillis(
                sleeps.stream().mapToLong(Long::longValue).sum());
        assertThat(stats.summary()).endsWith("throttled " + sleptMs + " ms");
    }
}
