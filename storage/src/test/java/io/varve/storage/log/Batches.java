package io.varve.storage.log;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

/** Builds producer-style batches (base offset 0) and reads values back, for storage tests. */
final class Batches {
    private Batches() {}

    /** One batch of {@code count} records {@code prefix-0..}, all stamped {@code timestamp}. */
    static MemoryRecords batch(String prefix, int count, long timestamp) {
        return batch(Compression.NONE, prefix, count, timestamp);
    }

    static MemoryRecords batch(Compression compression, String prefix, int count, long timestamp) {
        return idempotent(compression, RecordBatch.NO_PRODUCER_ID, (short) -1, -1, prefix, count, timestamp);
    }

    /** A transactional producer's batch with sequences {@code baseSequence..+count-1}. */
    static MemoryRecords transactional(
            long producerId, short producerEpoch, int baseSequence, String prefix, int count, long timestamp) {
        return build(Compression.NONE, producerId, producerEpoch, baseSequence, true, prefix, count, timestamp);
    }

    /** An idempotent producer's batch with sequences {@code baseSequence..+count-1}. */
    static MemoryRecords idempotent(
            Compression compression,
            long producerId,
            short producerEpoch,
            int baseSequence,
            String prefix,
            int count,
            long timestamp) {
        return build(compression, producerId, producerEpoch, baseSequence, false, prefix, count, timestamp);
    }

    private static MemoryRecords build(
            Compression compression,
            long producerId,
            short producerEpoch,
            int baseSequence,
            boolean isTransactional,
            String prefix,
            int count,
            long timestamp) {
        ByteBuffer buffer = ByteBuffer.allocate(1024 + count * 64 + prefix.length() * count);
        MemoryRecordsBuilder builder = MemoryRecords.builder(
                buffer,
                RecordBatch.MAGIC_VALUE_V2,
                compression,
                TimestampType.CREATE_TIME,
                0L,
                timestamp,
                producerId,
                producerEpoch,
                baseSequence,
                isTransactional,
                RecordBatch.NO_PARTITION_LEADER_EPOCH);
        for (int i = 0; i < count; i++) {
            builder.append(new SimpleRecord(timestamp, ("k" + i).getBytes(StandardCharsets.UTF_8), value(prefix, i)));
        }
        return builder.build();
    }

    /** A batch of one record of {@code size} value bytes. */
    static MemoryRecords sized(int size, long timestamp) {
        return MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(timestamp, null, new byte[size]));
    }

    static byte[] value(String prefix, int i) {
        return (prefix + "-" + i).getBytes(StandardCharsets.UTF_8);
    }

    /** Every record's value as a string, in log order, with its offset: {@code "7:a-2"}. */
    static List<String> offsetsAndValues(MemoryRecords records) {
        List<String> out = new ArrayList<>();
        for (RecordBatch batch : records.batches()) {
            for (Record record : batch) {
                byte[] bytes = new byte[record.valueSize()];
                record.value().get(bytes);
                out.add(record.offset() + ":" + new String(bytes, StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
