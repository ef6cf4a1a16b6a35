package io.varve.storage.log;

import java.util.List;
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

    /**
     * Nothing was appended; the log is unchanged and stays appendable.
     *
     * @param recordErrors the records that caused the rejection (KIP-467), empty when the whole
     *     append was at fault
     */
    record Rejected(Errors error, String message, List<RecordError> recordErrors) implements AppendResult {
        public Rejected {
            recordErrors = List.copyOf(recordErrors);
        }

        public Rejected(Errors error, String message) {
            this(error, message, List.of());
        }
    }
}
