package io.varve.storage.log;

import java.util.Iterator;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.common.utils.internals.CloseableIterator;

/**
 * Validates producer batches before offsets are assigned, with the error codes Kafka's log
 * validator uses: {@code CORRUPT_MESSAGE} for a bad CRC or a frame that is not whole batches,
 * {@code MESSAGE_TOO_LARGE} over {@code max.message.bytes}, {@code INVALID_RECORD} for a magic other
 * than 2, an inconsistent record count, a control batch or a negative sequence from a client, and
 * {@code INVALID_TIMESTAMP} outside {@code message.timestamp.before/after.max.ms}.
 *
 * <p>Timestamps of uncompressed batches are checked per record; for compressed batches the header's
 * first and max timestamps are checked, so records are never decompressed on the append path.
 * Stateless.
 */
final class BatchValidator {

    private BatchValidator() {}

    /** {@code null} when every batch is acceptable, otherwise the rejection. */
    static AppendResult.Rejected validate(MemoryRecords records, LogConfig config, long nowMs, String logName) {
        int total = 0;
        try {
            for (MutableRecordBatch batch : records.batches()) {
                AppendResult.Rejected rejected = validateBatch(batch, config, nowMs, logName);
                if (rejected != null) {
                    return rejected;
                }
                total += batch.sizeInBytes();
            }
        } catch (CorruptRecordException e) {
            return new AppendResult.Rejected(Errors.CORRUPT_MESSAGE, e.getMessage() + " in " + logName);
        }
        if (total == 0) {
            return new AppendResult.Rejected(
                    Errors.CORRUPT_MESSAGE, "no complete record batch in append to " + logName);
        }
        if (total != records.sizeInBytes()) {
            return new AppendResult.Rejected(
                    Errors.CORRUPT_MESSAGE,
                    (records.sizeInBytes() - total) + " trailing bytes after the last whole batch in " + logName);
        }
        return null;
    }

    private static AppendResult.Rejected validateBatch(
            MutableRecordBatch batch, LogConfig config, long nowMs, String logName) {
        if (batch.magic() != RecordBatch.MAGIC_VALUE_V2) {
            return invalid("record batch magic " + batch.magic() + " is not supported, only v2, in " + logName);
        }
        if (batch.sizeInBytes() > config.maxMessageBytes()) {
            return new AppendResult.Rejected(
                    Errors.MESSAGE_TOO_LARGE,
                    "the record batch size " + batch.sizeInBytes() + " bytes exceeds max.message.bytes "
                            + config.maxMessageBytes() + " of " + logName);
        }
        try {
            batch.ensureValid();
        } catch (CorruptRecordException e) {
            return new AppendResult.Rejected(Errors.CORRUPT_MESSAGE, e.getMessage() + " in " + logName);
        }
        long countFromOffsets = batch.lastOffset() - batch.baseOffset() + 1;
        Integer count = batch.countOrNull();
        if (count == null || count <= 0 || countFromOffsets != count) {
            return invalid("inconsistent batch: offset delta says " + countFromOffsets + " records, count says " + count
                    + ", in " + logName);
        }
        if (batch.isControlBatch()) {
            return invalid("clients may not write control batches to " + logName);
        }
        if (batch.hasProducerId() && batch.baseSequence() < 0) {
            return invalid("invalid sequence number " + batch.baseSequence() + " for producer " + batch.producerId()
                    + " in " + logName);
        }
        if (config.messageTimestampType() == org.apache.kafka.common.record.TimestampType.CREATE_TIME) {
            return validateTimestamps(batch, config, nowMs, logName);
        }
        return null;
    }

    private static AppendResult.Rejected validateTimestamps(
            MutableRecordBatch batch, LogConfig config, long nowMs, String logName) {
        long lowest = saturatedSubtract(nowMs, config.messageTimestampBeforeMaxMs());
        long highest = saturatedAdd(nowMs, config.messageTimestampAfterMaxMs());
        if (batch.isCompressed()) {
            long first = batch instanceof DefaultRecordBatch d ? d.baseTimestamp() : batch.maxTimestamp();
            AppendResult.Rejected rejected = checkTimestamp(first, batch.baseOffset(), lowest, highest, logName);
            return rejected != null
                    ? rejected
                    : checkTimestamp(batch.maxTimestamp(), batch.baseOffset(), lowest, highest, logName);
        }
        try (CloseableIterator<Record> it = batch.skipKeyValueIterator(BufferSupplier.NO_CACHING)) {
            for (Iterator<Record> records = it; records.hasNext(); ) {
                Record record = records.next();
                AppendResult.Rejected rejected =
                        checkTimestamp(record.timestamp(), record.offset(), lowest, highest, logName);
                if (rejected != null) {
                    return rejected;
                }
            }
        }
        return null;
    }

    private static AppendResult.Rejected checkTimestamp(
            long timestamp, long offset, long lowest, long highest, String logName) {
        if (timestamp < lowest || timestamp > highest) {
            return new AppendResult.Rejected(
                    Errors.INVALID_TIMESTAMP,
                    "timestamp " + timestamp + " of record with offset delta " + offset + " is out of range for "
                            + logName + ": it must be within [" + lowest + ", " + highest + "]");
        }
        return null;
    }

    private static AppendResult.Rejected invalid(String message) {
        return new AppendResult.Rejected(Errors.INVALID_RECORD, message);
    }

    private static long saturatedSubtract(long a, long b) {
        long r = a - b;
        return ((a ^ b) & (a ^ r)) < 0 ? Long.MIN_VALUE : r;
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }
}
