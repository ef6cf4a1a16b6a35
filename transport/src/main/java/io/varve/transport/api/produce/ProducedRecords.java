package io.varve.transport.api.produce;

import java.nio.ByteBuffer;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.ProduceRequest;

/**
 * What the Produce handler checks in a partition's records before they go to the partition (the
 * partition's log validates everything else): the checks Kafka makes on a v3+ request before any
 * append (its {@code ProduceRequest.validateRecords}: records present, one batch, magic v2, zstd
 * from v7), done without trusting any length. Reads only the first batch's fixed header fields and
 * the next batch's length, and only when they are there, so corrupt records never throw here
 * (kafka-clients' own check throws {@code IllegalArgumentException} for codec ids 5-7 below v7).
 * Whatever these checks cannot see (a first batch cut short, trailing bytes that are no batch) is
 * left to the partition's validator. Stateless.
 *
 * <pre>
 *   batch header: | base offset 8 | length 4 | leader epoch 4 | magic 1 | crc 4 | attributes 2 | ...
 *   attributes:   bits 0-2 codec, bit 3 timestamp type, bit 4 transactional, bit 5 control
 * </pre>
 */
final class ProducedRecords {
    private static final int LENGTH_OFFSET = 8;
    /** Base offset and batch length: what precedes the bytes a batch length counts. */
    private static final int LOG_OVERHEAD = 12;

    private static final int MAGIC_OFFSET = 16;
    /** A v2 batch's header, base offset and length included: no whole batch is shorter. */
    private static final int BATCH_OVERHEAD = 61;

    private static final int ATTRIBUTES_OFFSET = 21;
    private static final int TRANSACTIONAL_FLAG = 0x10;
    private static final int CODEC_MASK = 0x07;
    /** Produce v7 introduced zstd (KIP-110). */
    private static final short FIRST_ZSTD_VERSION = 7;

    /** A partition the handler answers itself. */
    record Problem(Errors error, String message) {}

    private ProducedRecords() {}

    /**
     * Kafka answers a Produce carrying a transactional batch without a transactional id (or one the
     * client may not use) with TRANSACTIONAL_ID_AUTHORIZATION_FAILED for the whole request.
     */
    static boolean hasTransactionalBatchWithoutId(ProduceRequest produce) {
        if (produce.transactionalId() != null) {
            return false;
        }
        for (TopicProduceData topic : produce.data().topicData()) {
            for (PartitionProduceData partition : topic.partitionData()) {
                int attributes = attributes(partition.records());
                if (attributes >= 0 && (attributes & TRANSACTIONAL_FLAG) != 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A problem Kafka finds on the request itself, or {@code null} to let the partition validate. */
    static Problem check(BaseRecords records, short version) {
        if (!(records instanceof MemoryRecords) || records.sizeInBytes() == 0) {
            // Kafka: INVALID_RECORD for no batch (v3+); a null records field gets no answer at all from it
            return new Problem(
                    Errors.INVALID_RECORD, "a produce must carry exactly one record batch; this one has none");
        }
        ByteBuffer buffer = ((MemoryRecords) records).buffer();
        int start = buffer.position();
        int size = buffer.remaining();
        if (size > MAGIC_OFFSET && buffer.get(start + MAGIC_OFFSET) != RecordBatch.MAGIC_VALUE_V2) {
            return new Problem(
                    Errors.INVALID_RECORD,
                    "a produce v3+ may only carry magic v2 batches; this one has magic "
                            + buffer.get(start + MAGIC_OFFSET));
        }
        if (holdsSecondBatch(buffer, start, size)) {
            return new Problem(
                    Errors.INVALID_RECORD, "a produce must carry exactly one record batch; this one has more");
        }
        int attributes = attributes(records);
        if (version < FIRST_ZSTD_VERSION && attributes >= 0 && (attributes & CODEC_MASK) == CompressionType.ZSTD.id) {
            return new Problem(
                    Errors.UNSUPPORTED_COMPRESSION_TYPE,
                    "produce v" + version + " may not carry zstd batches (v" + FIRST_ZSTD_VERSION + " and later)");
        }
        return null;
    }

    /**
     * Whether a second batch, header and all, follows a first one of at least a v2 header: two
     * batches. Anything less (a first batch length below the header, trailing bytes) is a corrupt
     * batch for the partition's validator to name.
     */
    private static boolean holdsSecondBatch(ByteBuffer buffer, int start, int size) {
        if (size < BATCH_OVERHEAD) {
            return false;
        }
        long second = LOG_OVERHEAD + (long) buffer.getInt(start + LENGTH_OFFSET);
        if (second < BATCH_OVERHEAD || second + BATCH_OVERHEAD > size) {
            return false;
        }
        long secondLength = buffer.getInt(start + (int) second + LENGTH_OFFSET);
        return secondLength >= BATCH_OVERHEAD - LOG_OVERHEAD && second + LOG_OVERHEAD + secondLength <= size;
    }

    /** The first batch's attributes when it is a v2 header that is all there, else -1. */
    private static int attributes(BaseRecords records) {
        if (!(records instanceof MemoryRecords memory) || memory.sizeInBytes() < ATTRIBUTES_OFFSET + 2) {
            return -1;
        }
        ByteBuffer buffer = memory.buffer();
        int start = buffer.position();
        if (buffer.get(start + MAGIC_OFFSET) != RecordBatch.MAGIC_VALUE_V2) {
            return -1;
        }
        return buffer.getShort(start + ATTRIBUTES_OFFSET) & 0xffff;
    }
}
