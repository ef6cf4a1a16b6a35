package io.varve.storage.cleaner;

/**
 * How a {@link CleaningResult} went into its log: segments swapped in, cleaned copies dropped because
 * their old segments had already left the log, and the reason the rest was refused (null when nothing
 * was). A refused result leaves the log exactly as it was from the first refused group on.
 */
public record SwapOutcome(int swapped, int skipped, String refusal) {
    /** Every group went in (or was not needed): the log is clean up to the result's end offset. */
    public boolean isComplete() {
        return refusal == null;
    }
}
