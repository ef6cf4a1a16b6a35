package io.varve.partition.replication;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A node's byte-rate limit on throttled replication traffic (KIP-73): one for what its leaders send
 * to throttled followers ({@code leader.replication.throttled.rate}), one for what its followers
 * fetch for throttled partitions ({@code follower.replication.throttled.rate}). Callers ask {@link
 * #isExceeded} before moving throttled bytes and {@link #record} the bytes they moved; a transfer is
 * never cut short, so the quota may run into debt that later transfers wait out.
 *
 * <p>A token bucket: credit grows at the rate, up to one second's worth (the largest burst), and
 * every recorded byte spends one; the quota is exceeded while the credit is not positive. Over any
 * long period the throttled bytes therefore average at most the rate plus one second's burst (unlike
 * a windowed average, a fresh quota does not let several seconds' worth through at once). The rate
 * may change at any time (dynamic broker config); {@link Long#MAX_VALUE} means unlimited. Thread-safe:
 * the fetcher threads of a node share its follower quota, the request threads its leader quota.
 */
public final class ReplicationQuota {
    /** No limit: Kafka's default of both rates. */
    public static final long UNLIMITED = Long.MAX_VALUE;
    /** The longest pause {@link #delayMs} asks for, so that a lowered or removed rate is seen soon. */
    static final long MAX_DELAY_MS = 1000;

    private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

    private final LongSupplier nanoClock;
    private long bytesPerSecond = UNLIMITED;
    private double credit;
    private long lastRefillNanos;

    /** A quota on the system's monotonic clock. */
    public ReplicationQuota() {
        this(System::nanoTime);
    }

    /** A quota on {@code nanoClock} (tests drive their own). */
    public ReplicationQuota(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.lastRefillNanos = nanoClock.getAsLong();
    }

    /** Sets the rate in bytes per second (negative: unlimited); unchanged rates keep the credit. */
    public synchronized void setRate(long newBytesPerSecond) {
        long rate = newBytesPerSecond < 0 ? UNLIMITED : newBytesPerSecond;
        if (rate == bytesPerSecond) {
            return;
        }
        refill();
        boolean wasUnlimited = bytesPerSecond == UNLIMITED;
        bytesPerSecond = rate;
        credit = wasUnlimited ? rate : Math.min(credit, rate);
    }

    public synchronized long rate() {
        return bytesPerSecond;
    }

    public synchronized boolean isUnlimited() {
        return bytesPerSecond == UNLIMITED;
    }

    /** Whether throttled bytes must wait: the credit is spent (never with an unlimited rate). */
    public synchronized boolean isExceeded() {
        if (bytesPerSecond == UNLIMITED) {
            return false;
        }
        refill();
        return credit <= 0;
    }

    /** Counts {@code bytes} of throttled traffic that went through. */
    public synchronized void record(long bytes) {
        if (bytesPerSecond == UNLIMITED || bytes <= 0) {
            return;
        }
        refill();
        credit -= bytes;
    }

    /**
     * How long until the credit is positive again, in milliseconds: 0 when it is, at least 1 when it
     * is not, and at most {@link #MAX_DELAY_MS}.
     */
    public synchronized long delayMs() {
        if (bytesPerSecond == UNLIMITED) {
            return 0;
        }
        refill();
        if (credit > 0) {
            return 0;
        }
        if (bytesPerSecond == 0) {
            return MAX_DELAY_MS;
        }
        double seconds = (-credit + 1) / bytesPerSecond;
        return Math.max(1, Math.min(MAX_DELAY_MS, (long) Math.ceil(seconds * 1000)));
    }

    private void refill() {
        long now = nanoClock.getAsLong();
        long elapsed = Math.max(0, now - lastRefillNanos);
        lastRefillNanos = now;
        if (bytesPerSecond != UNLIMITED) {
            credit = Math.min(bytesPerSecond, credit + (double) bytesPerSecond * elapsed / NANOS_PER_SECOND);
        }
    }
}
