package io.varve.partition;

import io.varve.partition.PartitionActor.Append;
import io.varve.partition.PartitionActor.TxnVerified;
import io.varve.storage.producer.ProducerEntry;
import io.varve.storage.producer.ProducerStateTable;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MutableRecordBatch;

/**
 * The checks a transactional append passes once its coordinator answered (Kafka's replica manager
 * and {@code ProducerAppendInfo} rules): the coordinator's error mapped for the produce version; a
 * guard a marker invalidated meanwhile is {@code INVALID_TXN_STATE}; with transaction version 2 the
 * first batch of a producer this partition holds no batch of must start at sequence 0. Stateless.
 */
final class TxnAppendChecks {
    private TxnAppendChecks() {}

    static Optional<Rejection> afterVerification(
            TxnVerified verified, boolean guardValid, ProducerStateTable producerState, TopicPartition tp) {
        Append append = verified.append();
        Errors error = VerificationErrors.forProducer(verified.error(), append.verification());
        if (error != Errors.NONE) {
            return Optional.of(new Rejection(
                    error,
                    VerificationErrors.message(verified.error(), append.transactionalId(), verified.producerId(), tp)));
        }
        if (!guardValid) {
            return Optional.of(
                    new Rejection(
                            Errors.INVALID_TXN_STATE,
                            "the transaction of producer " + verified.producerId() + " in " + tp
                                    + " ended while the append was verified: the records are not part of an ongoing transaction"));
        }
        if (append.verification().supportsEpochBump()) {
            return firstSequenceCheck(append, verified.producerId(), producerState, tp);
        }
        return Optional.empty();
    }

    private static Optional<Rejection> firstSequenceCheck(
            Append append, long producerId, ProducerStateTable producerState, TopicPartition tp) {
        boolean noBatches =
                producerState.entry(producerId).map(ProducerEntry::isEmpty).orElse(true);
        for (MutableRecordBatch batch : append.records().batches()) {
            if (batch.producerId() == producerId && noBatches && batch.baseSequence() != 0) {
                return Optional.of(new Rejection(
                        Errors.OUT_OF_ORDER_SEQUENCE_NUMBER,
                        "sequence " + batch.baseSequence() + " of producer " + producerId + " in " + tp
                                + ": a transaction version 2 producer with no state here must start at sequence 0"));
            }
            return Optional.empty();
        }
        return Optional.empty();
    }
}
