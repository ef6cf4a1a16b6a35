package io.varve.storage.log;

import io.varve.storage.producer.CompletedTxn;
import io.varve.storage.producer.ProducerAppend;
import java.util.Iterator;
import java.util.Optional;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Stages a batch that is already in the log (or replicated from the leader) on a {@link
 * ProducerAppend}, without checks: a data batch as the producer's last write, a control batch
 * holding a commit or abort marker as the end of its transaction. Stateless.
 */
final class ProducerBatches {
    private ProducerBatches() {}

    /**
     * Stages {@code batch} if it has a producer id.
     *
     * @return the transaction a marker ended, if the batch is one
     */
    static Optional<CompletedTxn> stage(ProducerAppend append, RecordBatch batch) {
        if (!batch.hasProducerId()) {
            return Optional.empty();
        }
        if (batch.isControlBatch()) {
            Optional<EndTransactionMarker> marker = endTxnMarker(batch);
            if (marker.isEmpty()) {
                return Optional.empty();
            }
            return append.stageMarker(
                    batch.producerId(),
                    batch.producerEpoch(),
                    marker.get().coordinatorEpoch(),
                    batch.baseOffset(),
                    batch.maxTimestamp(),
                    marker.get().controlType() == ControlRecordType.ABORT);
        }
        append.stage(
                batch.producerId(),
                batch.producerEpoch(),
                batch.baseSequence(),
                batch.lastSequence(),
                batch.baseOffset(),
                batch.lastOffset(),
                batch.maxTimestamp(),
                batch.isTransactional());
        return Optional.empty();
    }

    /**
     * The commit or abort marker a control batch holds; empty for other control records (Kafka's
     * KRaft leader-change and snapshot records never reach a partition log).
     */
    static Optional<EndTransactionMarker> endTxnMarker(RecordBatch batch) {
        Iterator<Record> records = batch.iterator();
        if (!records.hasNext()) {
            return Optional.empty();
        }
        Record record = records.next();
        ControlRecordType type = ControlRecordType.parse(record.key());
        if (type != ControlRecordType.COMMIT && type != ControlRecordType.ABORT) {
            return Optional.empty();
        }
        return Optional.of(EndTransactionMarker.deserialize(record));
    }
}
