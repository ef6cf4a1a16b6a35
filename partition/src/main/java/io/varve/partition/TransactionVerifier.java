package io.varve.partition;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * How a partition leader asks a transaction's coordinator about a transactional append (KIP-890):
 * whether the partition is part of the producer's open transaction (transaction version 1, Kafka's
 * verify-only AddPartitionsToTxn) or to add it (version 2, where producers no longer add
 * partitions themselves). Implemented by the txn module over the sharded coordinators; the node
 * hands it to every {@link PartitionActor}. Thread-safe.
 */
public interface TransactionVerifier {

    /** Verification switched off: every transactional append is accepted as it is. */
    TransactionVerifier DISABLED = (transactionalId, producerId, producerEpoch, tp, addPartition) ->
            CompletableFuture.completedFuture(Errors.NONE);

    /**
     * Completes with the coordinator's answer for {@code tp}: {@code NONE} when the partition is (now)
     * in the transaction, else Kafka's error ({@code TRANSACTION_ABORTABLE} when it is not, {@code
     * PRODUCER_FENCED}, {@code INVALID_PRODUCER_ID_MAPPING}, {@code CONCURRENT_TRANSACTIONS}, {@code
     * COORDINATOR_NOT_AVAILABLE} when the coordinator did not answer, ...). Never completes
     * exceptionally.
     */
    CompletionStage<Errors> verify(
            String transactionalId, long producerId, short producerEpoch, TopicPartition tp, boolean addPartition);
}
