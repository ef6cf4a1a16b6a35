package io.varve.partition;

import io.varve.partition.PartitionActor.TxnVerification;
import org.apache.kafka.common.protocol.Errors;

/**
 * What a producer is told when the coordinator's check of its transactional append failed, as
 * Kafka's replica manager and {@code AddPartitionsToTxnManager} map it: a coordinator that cannot
 * be reached is {@code NOT_ENOUGH_REPLICAS} (producers retry it), a fenced epoch {@code
 * INVALID_PRODUCER_EPOCH}, a partition not in the transaction {@code INVALID_TXN_STATE} for clients
 * older than produce v11 (which do not know {@code TRANSACTION_ABORTABLE}). Stateless.
 */
final class VerificationErrors {
    private VerificationErrors() {}

    static Errors forProducer(Errors coordinatorError, TxnVerification verification) {
        return switch (coordinatorError) {
            case PRODUCER_FENCED -> Errors.INVALID_PRODUCER_EPOCH;
            case TRANSACTION_ABORTABLE -> verification == TxnVerification.DEFAULT_ERROR
                    ? Errors.INVALID_TXN_STATE
                    : coordinatorError;
            case COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR, NETWORK_EXCEPTION -> Errors
                    .NOT_ENOUGH_REPLICAS;
            case CONCURRENT_TRANSACTIONS -> verification.supportsEpochBump()
                    ? coordinatorError
                    : Errors.NOT_ENOUGH_REPLICAS;
            default -> coordinatorError;
        };
    }

    /** Why, with the numbers, for the produce response's error message. */
    static String message(Errors coordinatorError, String transactionalId, long producerId, Object tp) {
        if (coordinatorError == Errors.INVALID_TXN_STATE || coordinatorError == Errors.TRANSACTION_ABORTABLE) {
            return "partition " + tp + " was not added to transaction " + transactionalId + " of producer "
                    + producerId;
        }
        return "unable to verify that partition " + tp + " was added to transaction " + transactionalId
                + " of producer " + producerId + ": coordinator answered " + coordinatorError;
    }
}
