package io.varve.storage.log;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.common.utils.internals.CloseableIterator;

/**
 * Kafka's rule for compacted topics: every record needs a key, or the cleaner could not tell which
 * value is the latest. A batch holding keyless records is rejected with {@code INVALID_RECORD} and one
 * {@link RecordError} per keyless record (its index in the batch), as Kafka's log validator answers;
 * librdkafka's test 0011 checks exactly that. Compressed batches are decompressed to read the key
 * lengths (values are skipped), which only compacted topics pay. Stateless.
 */
final class KeylessRecordCheck {
    private KeylessRecordCheck() {}

    /** {@code null} when every record has a key, else the rejection of the first batch that has one without. */
    static AppendResult.Rejected check(MemoryRecords records, String logName) {
        for (MutableRecordBatch batch : records.batches()) {
            List<RecordError> errors = keylessRecords(batch, logName);
            if (!errors.isEmpty()) {
                return new AppendResult.Rejected(
                        Errors.INVALID_RECORD,
                        "One or more records have been rejected due to " + errors.size()
                                + " record errors in total, and only showing the first three errors at most: "
                                + errors.subList(0, Math.min(errors.size(), 3)),
                        errors);
            }
        }
        return null;
    }

    private static List<RecordError> keylessRecords(MutableRecordBatch batch, String logName) {
        List<RecordError> errors = new ArrayList<>(0);
        int index = 0;
        try (CloseableIterator<Record> it = batch.skipKeyValueIterator(BufferSupplier.NO_CACHING)) {
            for (Iterator<Record> records = it; records.hasNext(); index++) {
                if (!records.next().hasKey()) {
                    errors.add(new RecordError(
                            index,
                            "Compacted topic cannot accept message without key in topic partition " + logName + "."));
                }
            }
        }
        return errors;
    }
}
