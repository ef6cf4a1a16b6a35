package io.varve.txn.coordinator;

import io.varve.metadata.VarveSerializable;

/**
 * The persisted state of one transactional id (also its snapshot). Immutable; {@link #apply} is the
 * pure event transition.
 *
 * @param metadata the id's metadata, null before its first InitProducerId and after it expired
 * @param coordinatorEpoch the coordinator epoch of the latest incarnation that wrote markers
 */
public record TransactionRecord(TransactionMetadata metadata, int coordinatorEpoch) implements VarveSerializable {

    public static final TransactionRecord EMPTY = new TransactionRecord(null, 0);

    public TransactionRecord apply(TransactionEvent event) {
        if (event instanceof TransactionEvent.TransactionRecorded recorded) {
            return new TransactionRecord(recorded.metadata(), coordinatorEpoch);
        }
        if (event instanceof TransactionEvent.CoordinatorEpochIncremented incremented) {
            return new TransactionRecord(metadata, incremented.coordinatorEpoch());
        }
        return new TransactionRecord(null, coordinatorEpoch);
    }
}
