package io.varve.txn.coordinator;

import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * What the {@link TransactionStateMachine} decides for one request: the error to answer, the
 * metadata to persist before answering (none: nothing changes), the producer id and epoch the
 * answer carries, and whether a fresh producer id is needed first (the caller fetches one and asks
 * again).
 *
 * @param error the answer's error code
 * @param next the transition to persist, or null
 * @param producerId the producer id to answer, -1 with an error
 * @param producerEpoch the epoch to answer, -1 with an error
 * @param needsProducerId whether to come back with a fresh producer id
 */
public record Outcome(
        Errors error, TransactionMetadata next, long producerId, short producerEpoch, boolean needsProducerId) {

    static Outcome failed(Errors error) {
        return new Outcome(error, null, RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH, false);
    }

    /** No change; a success answers {@code current}'s producer id and epoch. */
    static Outcome unchanged(TransactionMetadata current) {
        return new Outcome(Errors.NONE, null, current.producerId(), current.producerEpoch(), false);
    }

    /** Persist {@code next}, then answer NONE with {@code producerId} and {@code producerEpoch}. */
    static Outcome transit(TransactionMetadata next, long producerId, short producerEpoch) {
        return new Outcome(Errors.NONE, next, producerId, producerEpoch, false);
    }

    /** Persist {@code next}, then answer {@code error} (the fence of an open transaction). */
    static Outcome transitThenFail(TransactionMetadata next, Errors error) {
        return new Outcome(error, next, RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH, false);
    }

    static Outcome needProducerId() {
        return new Outcome(Errors.NONE, null, RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH, true);
    }

    public boolean changes() {
        return next != null;
    }
}
