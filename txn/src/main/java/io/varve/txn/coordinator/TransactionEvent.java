package io.varve.txn.coordinator;

import io.varve.metadata.VarveSerializable;

/** The coordinator entity's journal events: what survives a restart of the transactional id. */
public sealed interface TransactionEvent extends VarveSerializable {

    /** A transition: the whole new metadata, as Kafka writes each one to {@code __transaction_state}. */
    record TransactionRecorded(TransactionMetadata metadata) implements TransactionEvent {}

    /**
     * This incarnation of the entity will write markers under {@code coordinatorEpoch}: one above
     * every earlier incarnation's, so partitions fence markers of a coordinator that lingers
     * elsewhere after the entity moved (Kafka's coordinator epoch is its partition's leader epoch).
     */
    record CoordinatorEpochIncremented(int coordinatorEpoch) implements TransactionEvent {}

    /** The idle id expired ({@code transactional.id.expiration.ms}): it is forgotten. */
    record TransactionalIdExpired(long timestampMs) implements TransactionEvent {}
}
