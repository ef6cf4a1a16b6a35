package io.varve.txn.coordinator;

import io.varve.txn.TransactionCoordinator.TransactionDescription;
import io.varve.txn.TransactionRegistry.TransactionListing;
import java.util.List;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;

/** DescribeTransactions and ListTransactions views of a transactional id's metadata. Stateless. */
final class TransactionDescriptions {
    private TransactionDescriptions() {}

    static TransactionDescription of(TransactionMetadata metadata) {
        if (metadata == null) {
            return new TransactionDescription(
                    Errors.TRANSACTIONAL_ID_NOT_FOUND,
                    "",
                    RecordBatch.NO_PRODUCER_ID,
                    RecordBatch.NO_PRODUCER_EPOCH,
                    0,
                    -1L,
                    List.of(),
                    List.of());
        }
        return new TransactionDescription(
                Errors.NONE,
                metadata.state().kafkaName(),
                metadata.producerId(),
                metadata.producerEpoch(),
                metadata.txnTimeoutMs(),
                metadata.txnStartTimestamp(),
                List.copyOf(metadata.sortedPartitions()),
                metadata.groups().stream().sorted().toList());
    }

    /** The registry's listing; null for an id with no metadata (never initialised, or expired). */
    static TransactionListing listing(String transactionalId, TransactionMetadata metadata) {
        if (metadata == null) {
            return null;
        }
        return new TransactionListing(
                transactionalId, metadata.producerId(), metadata.state().kafkaName(), metadata.txnStartTimestamp());
    }
}
