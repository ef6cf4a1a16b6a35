package io.varve.storage.log;

import org.apache.kafka.common.protocol.Errors;

/** The outcome of appending to a {@link PartitionLog}: offsets on success, a Kafka error otherwise. */
public sealed interface AppendResult {

    /**
     * The batches are in the log (or, with {@code duplicate}, were already: an idempotent producer's
     * retry, answered with the original offsets as Kafka does).
     *
     * @param logAppendTimeMs the broker time stamped on the batches for {@code LogAppendTime}
     *     topics, -1 otherwise
     */
    record Appended(
            long firstOffset,
            long lastOffset,
            long logAppendTimeMs,
            long logStartOffset,
            int recordCount,
            boolean duplicate)
            implements AppendResult {}

    /** Nothing was appended; the log is unchanged and stays appendable. */
    record Rejected(Errors error, String message) implements AppendResult {}
}
