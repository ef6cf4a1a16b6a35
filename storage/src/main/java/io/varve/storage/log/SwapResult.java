package io.varve.storage.log;

/** The outcome of {@link PartitionLog#replaceSegments}: the cleaned segment is in, not needed, or refused. */
public sealed interface SwapResult {

    /** The cleaned segment replaced the old ones. */
    record Swapped(long baseOffset, int replacedSegments) implements SwapResult {}

    /** Every old segment had already left the log (retention, DeleteRecords): the cleaned copy was dropped. */
    record Skipped(long baseOffset) implements SwapResult {}

    /** The log changed under the cleaner (truncation, a segment deleted or rewritten); nothing was swapped. */
    record Refused(String reason) implements SwapResult {}
}
