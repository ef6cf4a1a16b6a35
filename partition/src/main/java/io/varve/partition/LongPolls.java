package io.varve.partition;

import io.varve.partition.PartitionActor.AwaitData;
import io.varve.partition.PartitionActor.Command;
import io.varve.partition.PartitionActor.SweepFetchWaiters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * A leader's parked long polls (Kafka's fetch purgatory): read_uncommitted fetches wait for the high
 * watermark to pass what they have seen, read_committed ones for the last stable offset, which a
 * transaction marker can move without the high watermark moving (and which an open transaction can
 * hold back while the high watermark moves). Each kind is a {@link FetchWaiters}; one sweep timer
 * ({@link SweepFetchWaiters}) drops the waiters whose fetch answered elsewhere or timed out.
 *
 * <p>Not thread-safe: owned by the {@link LeaderBehavior}, on its actor.
 */
final class LongPolls {
    private final TimerScheduler<Command> timers;
    private final FetchWaiters<AwaitData> uncommitted = new FetchWaiters<>();
    private final FetchWaiters<AwaitData> committed = new FetchWaiters<>();

    LongPolls(TimerScheduler<Command> timers) {
        this.timers = timers;
    }

    /**
     * Parks a long poll, first dropping those whose fetch completed meanwhile, so a consumer polling
     * an idle partition leaves at most its live poll here; the sweep timer clears the rest.
     */
    void park(AwaitData await) {
        FetchWaiters<AwaitData> waiters = await.read().readCommitted() ? committed : uncommitted;
        waiters.removeAbandoned(LongPolls::isAbandoned);
        waiters.add(await.awaitOffset(), await.maxWaitMs(), await);
        ensureSweep(await.maxWaitMs());
    }

    /**
     * Starts the sweep timer unless it runs: also for the followers' long polls, which the leader's
     * replication keeps and this sweep clears too (see {@link #onSweep}).
     */
    void ensureSweep(int maxWaitMs) {
        if (!timers.isTimerActive(SweepFetchWaiters.class)) {
            startSweep(maxWaitMs);
        }
    }

    /**
     * Removes and returns the long polls that can read now (those still awaited by their fetch):
     * read_uncommitted below {@code highWatermark}, read_committed below {@code lastStableOffset}.
     */
    List<AwaitData> releaseBelow(long highWatermark, long lastStableOffset) {
        List<AwaitData> released = new ArrayList<>();
        for (AwaitData await : uncommitted.releaseBelow(highWatermark)) {
            if (!isAbandoned(await)) {
                released.add(await);
            }
        }
        for (AwaitData await : committed.releaseBelow(lastStableOffset)) {
            if (!isAbandoned(await)) {
                released.add(await);
            }
        }
        return released;
    }

    /**
     * The sweep timer fired: drops abandoned and expired waiters, and re-arms while any are left here
     * or {@code otherDelayMs} (the followers' next sweep, -1 for none) asks for it.
     */
    void onSweep(int otherDelayMs) {
        int uncommittedDelay = uncommitted.sweep(LongPolls::isAbandoned).orElse(-1);
        int committedDelay = committed.sweep(LongPolls::isAbandoned).orElse(-1);
        int delayMs = Math.max(otherDelayMs, Math.max(uncommittedDelay, committedDelay));
        if (delayMs >= 0) {
            startSweep(delayMs);
        }
    }

    /** Removes and returns every long poll still awaited by its fetch, and stops the sweep. */
    List<AwaitData> drain() {
        timers.cancel(SweepFetchWaiters.class);
        List<AwaitData> drained = new ArrayList<>();
        for (AwaitData await : uncommitted.drain()) {
            if (!isAbandoned(await)) {
                drained.add(await);
            }
        }
        for (AwaitData await : committed.drain()) {
            if (!isAbandoned(await)) {
                drained.add(await);
            }
        }
        return drained;
    }

    int size() {
        return uncommitted.size() + committed.size();
    }

    private void startSweep(int delayMs) {
        timers.startSingleTimer(
                SweepFetchWaiters.class, new SweepFetchWaiters(), Duration.ofMillis(Math.max(1, delayMs)));
    }

    /** The fetch answered without this partition: nobody reads what it would be sent. */
    private static boolean isAbandoned(AwaitData await) {
        return await.fetchCompleted().getAsBoolean();
    }
}
