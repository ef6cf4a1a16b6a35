package io.varve.transport.api.txn;

import org.apache.kafka.common.protocol.Errors;

/**
 * PRODUCER_FENCED as a request version knows it. The error came with KIP-588 (InitProducerId v4,
 * AddPartitionsToTxn, AddOffsetsToTxn and EndTxn v2); a client of an older version only knows
 * INVALID_PRODUCER_EPOCH, which Kafka answers it instead with the same meaning. Stateless.
 */
public final class FencedError {
    private FencedError() {}

    /** {@code error}, or INVALID_PRODUCER_EPOCH for PRODUCER_FENCED below {@code firstVersion}. */
    public static Errors forVersion(Errors error, short version, int firstVersion) {
        return error == Errors.PRODUCER_FENCED && version < firstVersion ? Errors.INVALID_PRODUCER_EPOCH : error;
    }
}
