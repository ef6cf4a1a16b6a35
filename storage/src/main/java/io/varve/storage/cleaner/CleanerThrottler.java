package io.varve.storage.cleaner;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Keeps a cleaner thread's disk I/O (bytes read plus written) under {@code
 * log.cleaner.io.max.bytes.per.second} on average, as Kafka's throttler does: the bytes are counted,
 * and every {@value #CHECK_INTERVAL_MS} ms the thread sleeps as long as it takes to bring the rate since
 * the last check back to the limit. A limit of {@link Double#MAX_VALUE} (Kafka's default) never sleeps.
 * The limit is shared by every cleaner thread of the node: each gets its share.
 *
 * <p>Not thread-safe: one per cleaner thread, which it puts to sleep (never an actor's thread).
 */
public final class CleanerThrottler {
    static final long CHECK_INTERVAL_MS = 100;

    private final double bytesPerSecond;
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;
    private long periodStartNs;
    private long bytesInPeriod;
    private long throttledNs;

    /** How a throttled thread waits; tests substitute their own. */
    public interface Sleeper {
        void sleep(long nanos) throws InterruptedException;
    }

    public CleanerThrottler(double bytesPerSecond) {
        this(bytesPerSecond, System::nanoTime, TimeUnit.NANOSECONDS::sleep);
    }

    CleanerThrottler(double bytesPerSecond, LongSupplier nanoTime, Sleeper sleeper) {
        if (!(bytesPerSecond > 0)) {
            throw new IllegalArgumentException("the cleaner's I/O limit must be positive, not " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
        this.periodStartNs = nanoTime.getAsLong();
    }

    public boolean isUnlimited() {
        return bytesPerSecond >= Double.MAX_VALUE;
    }

    /** Counts {@code bytes} of I/O and sleeps if the rate since the last check is above the limit. */
    public void maybeThrottle(long bytes) throws InterruptedException {
        if (isUnlimited()) {
            return;
        }
        bytesInPeriod += bytes;
        long now = nanoTime.getAsLong();
        long elapsedNs = now - periodStartNs;
        if (elapsedNs < TimeUnit.MILLISECONDS.toNanos(CHECK_INTERVAL_MS)) {
            return;
        }
        double neededNs = bytesInPeriod / bytesPerSecond * 1e9;
        if (neededNs > elapsedNs) {
            long sleepNs = (long) (neededNs - elapsedNs);
            sleeper.sleep(sleepNs);
            throttledNs += sleepNs;
            now = nanoTime.getAsLong();
        }
        periodStartNs = now;
        bytesInPeriod = 0;
    }

    /** Total time this thread slept to respect the limit. */
    public long throttledMs() {
        return TimeUnit.NANOSECONDS.toMillis(throttledNs);
    }
}
