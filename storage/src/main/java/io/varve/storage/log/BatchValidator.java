package io.varve.storage.log;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Validates a producer's records before offsets are assigned, as Kafka's log validator does, with a
 * precise error code where Kafka 4.4 answers {@code UNKNOWN_SERVER_ERROR}. Checked in this order:
 *
 * <pre>
 *   framing   one whole v2 batch: length field >= 49 and inside the records, magic 2, nothing after it
 *   header    base offset 0, size <= max.message.bytes, CRC-32C, last offset delta + 1 == count > 0,
 *             no control batch, a known codec (0-4), producer id on transactional batches, sequence >= 0
 *   records   every record read ({@link RecordWalker}); compressed payloads fully decompressed
 *             ({@link CompressedPayload})
 * </pre>
 *
 * <table>
 *   <caption>errors</caption>
 *   <tr><td>CORRUPT_MESSAGE</td><td>bad CRC, a length that runs past the records or below the header,
 *       trailing bytes, a payload its codec cannot decompress</td></tr>
 *   <tr><td>INVALID_RECORD</td><td>no batch, more than one, magic other than 2, base offset not 0,
 *       inconsistent count, control batch, transactional batch without producer id, negative sequence,
 *       malformed records (with the record's index), compacted topic without key</td></tr>
 *   <tr><td>MESSAGE_TOO_LARGE</td><td>above {@code max.message.bytes}</td></tr>
 *   <tr><td>UNSUPPORTED_COMPRESSION_TYPE</td><td>codec ids 5-7</td></tr>
 *   <tr><td>INVALID_TIMESTAMP</td><td>a record outside {@code message.timestamp.before/after.max.ms},
 *       or a producer claiming LogAppendTime</td></tr>
 * </table>
 *
 * <p>A valid batch's header max timestamp is set to its records' largest for CreateTime topics, as
 * Kafka does (a no-op for honest clients). Stateless; runs on the partition's storage thread.
 */
final class BatchValidator {
    private static final int LOG_OVERHEAD = 12;
    private static final int MAGIC_OFFSET = 16;
    private static final int ATTRIBUTES_OFFSET = 21;
    private static final int CODEC_MASK = 0x07;
    private static final int MAX_CODEC_ID = 4;

    private BatchValidator() {}

    /** {@code null} when the records are acceptable, otherwise the rejection. */
    static AppendResult.Rejected validate(MemoryRecords records, LogConfig config, long nowMs, String logName) {
        try {
            AppendResult.Rejected framing = validateFraming(records.buffer(), logName);
            if (framing != null) {
                return framing;
            }
            MutableRecordBatch batch = records.batches().iterator().next();
            AppendResult.Rejected header = validateHeader(batch, records.buffer(), config, logName);
            return header != null ? header : validateRecords(batch, records.buffer(), config, nowMs, logName);
        } catch (OutOfMemoryError e) {
            // one allocation a codec could not get: the batch is refused, the heap is intact
            return corrupt("decompressing the batch needs more memory than is free (" + e.getMessage() + ")", logName);
        }
    }

    private static AppendResult.Rejected validateFraming(ByteBuffer buffer, String logName) {
        int start = buffer.position();
        int size = buffer.remaining();
        if (size == 0) {
            return invalid("a produce must carry exactly one record batch; this one has none", logName);
        }
        if (size < LOG_OVERHEAD) {
            return corrupt("the " + size + " bytes of records are too few for a batch header", logName);
        }
        if (size > MAGIC_OFFSET) {
            byte magic = buffer.get(start + MAGIC_OFFSET);
            if (magic != RecordBatch.MAGIC_VALUE_V2) {
                return invalid("record batch magic " + magic + " is not supported, only v2,", logName);
            }
        }
        long batchSize = LOG_OVERHEAD + (long) buffer.getInt(start + LOG_OVERHEAD - Integer.BYTES);
        if (batchSize < DefaultRecordBatch.RECORD_BATCH_OVERHEAD) {
            return corrupt(
                    "record batch length " + batchSize + " is below the v2 header size "
                            + DefaultRecordBatch.RECORD_BATCH_OVERHEAD,
                    logName);
        }
        if (batchSize > size) {
            return corrupt(
                    "record batch of " + batchSize + " bytes runs past the " + size + " bytes of records", logName);
        }
        if (batchSize < size) {
            return isWholeBatch(buffer, start + (int) batchSize)
                    ? invalid(
                            "a produce must carry exactly one record batch per partition; another follows the first",
                            logName)
                    : corrupt((size - batchSize) + " trailing bytes after the record batch", logName);
        }
        return null;
    }

    /** Whether a whole batch (by its length field) starts at {@code position}. */
    private static boolean isWholeBatch(ByteBuffer buffer, int position) {
        int left = buffer.limit() - position;
        if (left < DefaultRecordBatch.RECORD_BATCH_OVERHEAD) {
            return false;
        }
        long size = LOG_OVERHEAD + (long) buffer.getInt(position + LOG_OVERHEAD - Integer.BYTES);
        return size >= DefaultRecordBatch.RECORD_BATCH_OVERHEAD && size <= left;
    }

    private static AppendResult.Rejected validateHeader(
            MutableRecordBatch batch, ByteBuffer buffer, LogConfig config, String logName) {
        if (batch.baseOffset() != 0) {
            return invalid("the base offset of a produced batch must be 0, not " + batch.baseOffset() + ",", logName);
        }
        if (batch.sizeInBytes() > config.maxMessageBytes()) {
            return new AppendResult.Rejected(
                    Errors.MESSAGE_TOO_LARGE,
                    "the record batch size " + batch.sizeInBytes() + " bytes exceeds max.message.bytes "
                            + config.maxMessageBytes() + " of " + logName);
        }
        if (!batch.isValid()) {
            return corrupt("record batch CRC mismatch (stored " + batch.checksum() + ")", logName);
        }
        AppendResult.Rejected counts = validateCounts(batch, logName);
        if (counts != null) {
            return counts;
        }
        if (batch.isControlBatch()) {
            return invalid("clients may not write control batches", logName);
        }
        int codec = buffer.getShort(buffer.position() + ATTRIBUTES_OFFSET) & CODEC_MASK;
        if (codec > MAX_CODEC_ID) {
            return new AppendResult.Rejected(
                    Errors.UNSUPPORTED_COMPRESSION_TYPE,
                    "compression codec id " + codec + " is none of none (0), gzip, snappy, lz4, zstd (4) in "
                            + logName);
        }
        if (batch.isTransactional() && !batch.hasProducerId()) {
            return invalid("a transactional batch must carry a producer id, not " + batch.producerId(), logName);
        }
        if (batch.hasProducerId() && batch.baseSequence() < 0) {
            return invalid(
                    "invalid sequence number " + batch.baseSequence() + " for producer " + batch.producerId(), logName);
        }
        return null;
    }

    private static AppendResult.Rejected validateCounts(RecordBatch batch, String logName) {
        long countFromOffsets = batch.lastOffset() - batch.baseOffset() + 1;
        Integer count = batch.countOrNull();
        if (countFromOffsets <= 0) {
            return invalid(
                    "the batch's offset range [" + batch.baseOffset() + ", " + batch.lastOffset() + "] is empty",
                    logName);
        }
        if (count == null || count <= 0 || countFromOffsets != count) {
            return invalid(
                    "inconsistent batch: offset delta says " + countFromOffsets + " records, count says " + count + ",",
                    logName);
        }
        return null;
    }

    private static AppendResult.Rejected validateRecords(
            MutableRecordBatch batch, ByteBuffer buffer, LogConfig config, long nowMs, String logName) {
        TimestampType topicType = config.messageTimestampType();
        RecordWalker.Rules rules = new RecordWalker.Rules(
                batch.countOrNull(),
                ((DefaultRecordBatch) batch).baseTimestamp(),
                batch.maxTimestamp(),
                batch.timestampType() == TimestampType.LOG_APPEND_TIME,
                topicType,
                saturatedSubtract(nowMs, config.messageTimestampBeforeMaxMs()),
                saturatedAdd(nowMs, config.messageTimestampAfterMaxMs()),
                config.isCompacted());
        ByteBuffer payload = buffer.duplicate()
                .position(buffer.position() + DefaultRecordBatch.RECORD_BATCH_OVERHEAD)
                .limit(buffer.position() + batch.sizeInBytes())
                .slice();
        RecordWalker.Outcome outcome = batch.isCompressed()
                ? walkCompressed(batch.compressionType(), payload, rules, logName)
                : RecordWalker.walk(RecordInput.of(payload), rules, logName);
        if (outcome.rejected() != null) {
            return outcome.rejected();
        }
        if (topicType == TimestampType.CREATE_TIME) {
            batch.setMaxTimestamp(TimestampType.CREATE_TIME, outcome.maxTimestamp());
        }
        return null;
    }

    private static RecordWalker.Outcome walkCompressed(
            CompressionType type, ByteBuffer payload, RecordWalker.Rules rules, String logName) {
        String problem = CompressedPayload.precheck(type, payload);
        if (problem != null) {
            return new RecordWalker.Outcome(RecordBatch.NO_TIMESTAMP, corrupt(problem + ",", logName));
        }
        try (InputStream in = CompressedPayload.open(type, payload)) {
            return RecordWalker.walk(RecordInput.of(in), rules, logName);
        } catch (IOException | RuntimeException e) {
            // a codec failure while opening, reading or closing: KafkaException, IOException, ZstdException, ...
            Throwable cause =
                    e instanceof RecordInput.DecompressionException && e.getCause() != null ? e.getCause() : e;
            return new RecordWalker.Outcome(
                    RecordBatch.NO_TIMESTAMP,
                    corrupt(
                            "the " + type.name + " payload of the batch cannot be decompressed (" + cause + ")",
                            logName));
        }
    }

    private static AppendResult.Rejected invalid(String message, String logName) {
        return new AppendResult.Rejected(Errors.INVALID_RECORD, message + " in " + logName);
    }

    private static AppendResult.Rejected corrupt(String message, String logName) {
        return new AppendResult.Rejected(Errors.CORRUPT_MESSAGE, message + " in " + logName);
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
