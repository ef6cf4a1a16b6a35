package io.varve.connectors.support;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;

/** Waiting for a condition with a deadline, instead of sleeping for a guessed time. */
public final class Conditions {
    private static final long PAUSE_MS = 20;

    private Conditions() {}

    /** Evaluates {@code condition} until it holds or {@code deadline} passed; an exception counts as not yet. */
    public static boolean awaitTrue(Duration deadline, Callable<Boolean> condition) throws InterruptedException {
        Instant end = Instant.now().plus(deadline);
        while (true) {
            try {
                if (condition.call()) {
                    return true;
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                // not yet
            }
            if (!Instant.now().isBefore(end)) {
                return false;
            }
            // the poll interval of a deadline-bounded wait: the outcome is decided by the condition
            Thread.sleep(PAUSE_MS);
        }
    }
}
