package io.varve.storage.testing;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;

/**
 * Waiting for a condition with a deadline, instead of sleeping for a guessed time. The one poller
 * of every module's tests (the storage test-jar is on each of their test class paths); it runs on
 * the calling test thread.
 */
public final class Conditions {
    private static final long PAUSE_MS = 20;

    private Conditions() {}

    /**
     * Evaluates {@code condition} until it holds or {@code deadline} passed; an exception counts as
     * not yet. Returns whether it held.
     */
    public static boolean awaitTrue(Duration deadline, Callable<Boolean> condition) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            if (holds(condition)) {
                return true;
            }
            if (System.nanoTime() - end >= 0) {
                return false;
            }
            pollInterval();
        }
    }

    /** As {@link #awaitTrue}, failing the test with {@code what} when the deadline passes first. */
    public static void require(Duration deadline, String what, Callable<Boolean> condition)
            throws InterruptedException {
        if (!awaitTrue(deadline, condition)) {
            throw new AssertionError(what + ": not met within " + deadline.toMillis() + " ms");
        }
    }

    /**
     * Waits until {@code value} is positive and has not changed for {@code window}, and returns it;
     * fails the test if it is still changing when {@code deadline} passes. The window is the
     * observation itself (a count that stopped moving), so it is slept, in poll steps.
     */
    public static long awaitStable(Duration deadline, Duration window, LongSupplier value) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        long last = value.getAsLong();
        long since = System.nanoTime();
        while (System.nanoTime() - end < 0) {
            pollInterval();
            long now = value.getAsLong();
            if (now != last || now <= 0) {
                last = now;
                since = System.nanoTime();
            } else if (System.nanoTime() - since >= window.toNanos()) {
                return now;
            }
        }
        throw new AssertionError("still changing after " + deadline.toMillis() + " ms: " + value.getAsLong());
    }

    private static boolean holds(Callable<Boolean> condition) throws InterruptedException {
        try {
            return condition.call();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            return false; // not yet: evaluated again until the deadline
        }
    }

    /**
     * The pause between two looks of a deadline-bounded wait: the outcome is decided by the condition,
     * never by how long this pauses.
     */
    private static void pollInterval() throws InterruptedException {
        Thread.sleep(PAUSE_MS);
    }
}
