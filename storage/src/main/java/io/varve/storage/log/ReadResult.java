package io.varve.storage.log;

import org.apache.kafka.common.protocol.Errors;

/** The outcome of reading a {@link PartitionLog}: a file slice, or a Kafka error. */
public sealed interface ReadResult {

    /** Batches from the requested offset (possibly none, at the end of the log). */
    record Data(LogSlice slice, long logStartOffset, long logEndOffset) implements ReadResult {}

    /** E.g. {@code OFFSET_OUT_OF_RANGE} with the offsets in the message. */
    record Failed(Errors error, String message) implements ReadResult {}
}
